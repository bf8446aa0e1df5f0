import type {
  AnalyticsRange,
  AnalyticsTotals,
  CommandBucket,
  PlayerBucket,
  SessionStats,
} from '@anvil/storage';
import type { FigureSource } from '../figures/figures.service';
import type { FigureModel } from '../fold/figure-model';

/**
 * The in-memory model read the way the storage repository reads its tables (wider buckets,
 * the count carried into a range, percentile_disc), so that the figures the API serves from
 * storage can be compared with the figures of an independent fold.
 */
export class ModelSource implements FigureSource {
  constructor(private readonly model: FigureModel) {}

  async totals(worldId: string): Promise<AnalyticsTotals | null> {
    return this.model.rows(worldId)?.totals ?? null;
  }

  async worlds(options: { limit?: number; after?: string } = {}): Promise<AnalyticsTotals[]> {
    return this.model
      .worldIds()
      .filter((id) => options.after === undefined || id > options.after)
      .slice(0, options.limit ?? 100)
      .map((id) => this.model.rows(id)!.totals);
  }

  async players(worldId: string, range: AnalyticsRange) {
    const rows = this.model.rows(worldId)?.players ?? [];
    const before = rows.filter((r) => r.start < range.from);
    const buckets = group(rows, range, (members, start): PlayerBucket => ({
      start,
      joins: sum(members, (m) => m.joins),
      leaves: sum(members, (m) => m.leaves),
      peak: Math.max(...members.map((m) => m.peak)),
      last: members[members.length - 1].last,
    }));
    return { carried: before.length > 0 ? before[before.length - 1].last : 0, buckets };
  }

  async commands(worldId: string, range: AnalyticsRange): Promise<CommandBucket[]> {
    const rows = this.model.rows(worldId)?.commands ?? [];
    return group(rows, range, (members, start) => ({
      start,
      entries: sum(members, (m) => m.entries),
      intents: sum(members, (m) => m.intents),
    }));
  }

  async sessions(worldId: string, window: { from: Date; to: Date }): Promise<SessionStats> {
    const lengths = (this.model.rows(worldId)?.sessions ?? [])
      .filter((s) => s.leftAt >= window.from && s.leftAt < window.to)
      .map((s) => s.lengthMs)
      .sort((a, b) => a - b);
    const n = lengths.length;
    if (n === 0) return { count: 0, meanMs: null, p50Ms: null, p95Ms: null, maxMs: null };
    const percentile = (p: number) => lengths[Math.max(0, Math.ceil(p * n) - 1)];
    return {
      count: n,
      meanMs: sum(lengths, (l) => l) / n,
      p50Ms: percentile(0.5),
      p95Ms: percentile(0.95),
      maxMs: lengths[n - 1],
    };
  }
}

const sum = <T>(rows: T[], f: (row: T) => number) => rows.reduce((n, row) => n + f(row), 0);

/** Rows (ordered by start) of `[from, to)` grouped into epoch-aligned buckets of the range. */
function group<R extends { start: Date }, T>(
  rows: R[],
  range: AnalyticsRange,
  combine: (members: R[], start: Date) => T,
): T[] {
  const width = range.bucketSeconds * 1000;
  const groups = new Map<number, R[]>();
  for (const row of rows) {
    if (row.start < range.from || row.start >= range.to) continue;
    const start = Math.floor(row.start.getTime() / width) * width;
    groups.set(start, [...(groups.get(start) ?? []), row]);
  }
  return [...groups].map(([start, members]) => combine(members, new Date(start)));
}
