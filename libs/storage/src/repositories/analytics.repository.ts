import {
  ANALYTICS_COUNTERS,
  type AnalyticsDelta,
  type AnalyticsEventKey,
  type AnalyticsRange,
  type AnalyticsTotals,
  type AnalyticsWorldState,
  type CommandBucket,
  type PlayerBucket,
  type SessionStats,
} from '../domain';
import type { SqlQuery } from '../backends/backend';
import type { SqlExecutor, SqlTransaction } from '../migrations/migrate';
import { instant, integer, text } from '../validation';
import { checkDelta, checkRange, MAX_SERIES } from './analytics-input';

/** Column of each counter in `analytics_worlds`. */
const COLUMN: Record<(typeof ANALYTICS_COUNTERS)[number], string> = {
  events: 'events',
  malformed: 'malformed',
  joins: 'joins',
  leaves: 'leaves',
  repeatedJoins: 'repeated_joins',
  unmatchedLeaves: 'unmatched_leaves',
  sessions: 'sessions',
  commandEntries: 'command_entries',
  intents: 'intents',
  epochMarkers: 'epoch_markers',
};

const TOTALS = `world_id, players_now, first_event_at, last_event_at, ${ANALYTICS_COUNTERS.map(
  (c) => COLUMN[c],
).join(', ')}`;

// Buckets aligned to the Unix epoch, whatever the session's time zone.
const BIN = (column: string, seconds: string) =>
  `date_bin(make_interval(secs => ${seconds}::int), ${column}, TIMESTAMPTZ '1970-01-01 00:00:00+00')`;

type Row = Record<string, unknown>;

/**
 * Per-world figures of the analytics module (docs/analytics.md). `apply` makes each event count
 * once: its id is recorded in the same transaction as its change, and an id already recorded
 * changes nothing, so a redelivered event is harmless.
 */
export class AnalyticsRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly sql: SqlQuery,
  ) {}

  /**
   * Applies one event unless its id was already applied to its world: in one transaction,
   * records the id, reads the world's state, asks `decide` (a pure function) for the change and
   * writes it. True when applied, false for a duplicate (nothing written).
   */
  async apply(
    key: AnalyticsEventKey,
    decide: (state: AnalyticsWorldState) => AnalyticsDelta,
  ): Promise<boolean> {
    const worldId = text('worldId', key?.worldId);
    const eventId = text('eventId', key.eventId);
    const playerId = key.playerId === undefined ? undefined : text('playerId', key.playerId);
    return this.db.transaction(async (tx) => {
      const recorded = await tx.query(
        `INSERT INTO analytics_applied_events (world_id, event_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [worldId, eventId],
      );
      if (recorded.length === 0) return false;
      await tx.query('INSERT INTO analytics_worlds (world_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        worldId,
      ]);
      // The row lock orders concurrent events of one world (a rebalance may overlap consumers).
      const [world] = await tx.query<{ players_now: number }>(
        'SELECT players_now FROM analytics_worlds WHERE world_id = $1 FOR UPDATE',
        [worldId],
      );
      const open = playerId
        ? await tx.query<{ joined_at: Date | string }>(
            'SELECT joined_at FROM analytics_open_players WHERE world_id = $1 AND player_id = $2',
            [worldId, playerId],
          )
        : [];
      const delta = checkDelta(
        decide({
          playersNow: Number(world.players_now),
          joinedAt: open.length > 0 ? new Date(open[0].joined_at) : null,
        }),
        playerId !== undefined,
      );
      await write(tx, worldId, eventId, playerId, delta);
      return true;
    });
  }

  /** A world's totals; null when no event of it was applied. */
  async totals(worldId: string): Promise<AnalyticsTotals | null> {
    const rows = await this.query(`SELECT ${TOTALS} FROM analytics_worlds WHERE world_id = $1`, [
      text('worldId', worldId),
    ]);
    return rows.length > 0 ? toTotals(rows[0]) : null;
  }

  /** The totals of the worlds with figures, by world id, after `after` when given; at most `limit`. */
  async worlds(options: { limit?: number; after?: string } = {}): Promise<AnalyticsTotals[]> {
    const limit = integer('limit', options.limit ?? 100, 1, MAX_SERIES);
    const after = options.after === undefined ? null : text('after', options.after);
    const rows = await this.query(
      `SELECT ${TOTALS} FROM analytics_worlds WHERE ($1::text IS NULL OR world_id > $1::text)
       ORDER BY world_id LIMIT $2`,
      [after, limit],
    );
    return rows.map(toTotals);
  }

  /**
   * A world's players in `range`, per bucket (only buckets with events), and `carried`: the
   * players present when the range starts (the last count before it, 0 without one).
   */
  async players(
    worldId: string,
    range: AnalyticsRange,
  ): Promise<{ carried: number; buckets: PlayerBucket[] }> {
    const id = text('worldId', worldId);
    const { from, to, bucketSeconds } = checkRange(range);
    const [before] = await this.query(
      `SELECT last FROM analytics_player_buckets WHERE world_id = $1 AND bucket_start < $2
       ORDER BY bucket_start DESC LIMIT 1`,
      [id, from],
    );
    const rows = await this.query(
      `SELECT ${BIN('bucket_start', '$4')} AS start, SUM(joins) AS joins, SUM(leaves) AS leaves,
              MAX(peak) AS peak, (array_agg(last ORDER BY bucket_start DESC))[1] AS last
         FROM analytics_player_buckets
        WHERE world_id = $1 AND bucket_start >= $2 AND bucket_start < $3
        GROUP BY 1 ORDER BY 1 LIMIT $5`,
      [id, from, to, bucketSeconds, MAX_SERIES],
    );
    return {
      carried: before ? Number(before.last) : 0,
      buckets: rows.map((r) => ({
        start: new Date(r.start as string),
        joins: Number(r.joins),
        leaves: Number(r.leaves),
        peak: Number(r.peak),
        last: Number(r.last),
      })),
    };
  }

  /** A world's command-log entries and intents in `range`, per bucket (only buckets with entries). */
  async commands(worldId: string, range: AnalyticsRange): Promise<CommandBucket[]> {
    const { from, to, bucketSeconds } = checkRange(range);
    const rows = await this.query(
      `SELECT ${BIN('second', '$4')} AS start, SUM(entries) AS entries, SUM(intents) AS intents
         FROM analytics_command_seconds WHERE world_id = $1 AND second >= $2 AND second < $3
        GROUP BY 1 ORDER BY 1 LIMIT $5`,
      [text('worldId', worldId), from, to, bucketSeconds, MAX_SERIES],
    );
    return rows.map((r) => ({
      start: new Date(r.start as string),
      entries: Number(r.entries),
      intents: Number(r.intents),
    }));
  }

  /** Count, mean, median, 95th percentile and longest of the sessions that ended in `[from, to)`. */
  async sessions(worldId: string, window: { from: Date; to: Date }): Promise<SessionStats> {
    const [row] = await this.query(
      `SELECT count(*) AS count, avg(length_ms)::float8 AS mean,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY length_ms) AS p50,
              percentile_disc(0.95) WITHIN GROUP (ORDER BY length_ms) AS p95,
              max(length_ms) AS max
         FROM analytics_sessions WHERE world_id = $1 AND left_at >= $2 AND left_at < $3`,
      [text('worldId', worldId), instant('from', window?.from), instant('to', window.to)],
    );
    const ms = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    return {
      count: Number(row.count),
      meanMs: ms(row.mean),
      p50Ms: ms(row.p50),
      p95Ms: ms(row.p95),
      maxMs: ms(row.max),
    };
  }

  private query(sql: string, params: unknown[]): Promise<Row[]> {
    return this.sql<Row>(sql, params);
  }
}

/** Writes a checked delta: totals, presence, the player bucket, the command second, the session. */
async function write(
  tx: SqlTransaction,
  worldId: string,
  eventId: string,
  playerId: string | undefined,
  delta: AnalyticsDelta,
): Promise<void> {
  const params: unknown[] = [worldId, delta.at, delta.playersNow ?? null];
  const adds = ANALYTICS_COUNTERS.map((counter) => {
    params.push(delta.counts[counter] ?? 0);
    return `${COLUMN[counter]} = ${COLUMN[counter]} + $${params.length}`;
  });
  await tx.query(
    `UPDATE analytics_worlds SET ${adds.join(', ')},
            players_now = COALESCE($3::int, players_now),
            first_event_at = LEAST(first_event_at, $2::timestamptz),
            last_event_at = GREATEST(last_event_at, $2::timestamptz)
      WHERE world_id = $1`,
    params,
  );
  if (delta.presence === 'joined') {
    await tx.query(
      `INSERT INTO analytics_open_players (world_id, player_id, joined_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [worldId, playerId, delta.at],
    );
  } else if (delta.presence === 'left') {
    await tx.query('DELETE FROM analytics_open_players WHERE world_id = $1 AND player_id = $2', [
      worldId,
      playerId,
    ]);
  }
  const bucket = delta.playerBucket;
  if (bucket) {
    await tx.query(
      `INSERT INTO analytics_player_buckets AS b (world_id, bucket_start, joins, leaves, peak, last)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (world_id, bucket_start) DO UPDATE
         SET joins = b.joins + EXCLUDED.joins, leaves = b.leaves + EXCLUDED.leaves,
             peak = GREATEST(b.peak, EXCLUDED.peak), last = EXCLUDED.last`,
      [worldId, bucket.start, bucket.joins, bucket.leaves, bucket.peak, bucket.last],
    );
  }
  const second = delta.commandSecond;
  if (second) {
    await tx.query(
      `INSERT INTO analytics_command_seconds AS c (world_id, second, entries, intents)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (world_id, second) DO UPDATE
         SET entries = c.entries + EXCLUDED.entries, intents = c.intents + EXCLUDED.intents`,
      [worldId, second.second, second.entries, second.intents],
    );
  }
  const session = delta.session;
  if (session) {
    await tx.query(
      `INSERT INTO analytics_sessions (world_id, event_id, player_id, joined_at, left_at, length_ms)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [worldId, eventId, playerId, session.joinedAt, session.leftAt, session.lengthMs],
    );
  }
}

function toTotals(row: Row): AnalyticsTotals {
  const date = (value: unknown) =>
    value === null || value === undefined ? null : new Date(value as string);
  const counts = Object.fromEntries(
    ANALYTICS_COUNTERS.map((counter) => [counter, Number(row[COLUMN[counter]])]),
  ) as Record<(typeof ANALYTICS_COUNTERS)[number], number>;
  return {
    worldId: row.world_id as string,
    playersNow: Number(row.players_now),
    firstEventAt: date(row.first_event_at),
    lastEventAt: date(row.last_event_at),
    ...counts,
  };
}
