import {
  ANALYTICS_COUNTERS,
  type AnalyticsDelta,
  type AnalyticsTotals,
  type CommandBucket,
  type PlayerBucket,
} from '@anvil/storage';
import type { AnalyticsInput } from './analytics-input';
import { deltaOf } from './figure-delta';

/** Everything the figures of one world are made of, in a comparable form. */
export interface WorldRows {
  totals: AnalyticsTotals;
  /** 10-second buckets with events, by start. */
  players: PlayerBucket[];
  /** Seconds with command-log entries, by start. */
  commands: CommandBucket[];
  /** The finished sessions: when they ended and how long they lasted, by end then length. */
  sessions: FinishedSession[];
}

export interface FinishedSession {
  leftAt: Date;
  lengthMs: number;
}

interface WorldState {
  applied: Set<string>;
  totals: AnalyticsTotals;
  open: Map<string, Date>;
  players: Map<number, PlayerBucket>;
  commands: Map<number, CommandBucket>;
  sessions: FinishedSession[];
}

/**
 * The figures folded in memory with the same steps (`deltaOf`) and the same rules as the
 * storage repository applies them: an event id counts once per world. The reference the tests
 * compare storage (and a recount from a topic) with.
 */
export class FigureModel {
  private readonly worlds = new Map<string, WorldState>();

  /** Folds one input; false when its id was already applied to its world. */
  apply(input: AnalyticsInput): boolean {
    const world = this.world(input.worldId);
    if (world.applied.has(input.eventId)) return false;
    world.applied.add(input.eventId);
    const playerId = 'playerId' in input ? input.playerId : undefined;
    const delta = deltaOf(input, {
      playersNow: world.totals.playersNow,
      joinedAt: (playerId !== undefined && world.open.get(playerId)) || null,
    });
    applyDelta(world, delta, playerId);
    return true;
  }

  /** The worlds with figures, by id. */
  worldIds(): string[] {
    return [...this.worlds.keys()].sort();
  }

  /** One world's figures; undefined when none of its events was applied. */
  rows(worldId: string): WorldRows | undefined {
    const world = this.worlds.get(worldId);
    if (!world) return undefined;
    const byStart = <T extends { start: Date }>(rows: Iterable<T>) =>
      [...rows].sort((a, b) => a.start.getTime() - b.start.getTime()).map((row) => ({ ...row }));
    return {
      totals: { ...world.totals },
      players: byStart(world.players.values()),
      commands: byStart(world.commands.values()),
      sessions: [...world.sessions].sort(
        (a, b) => a.leftAt.getTime() - b.leftAt.getTime() || a.lengthMs - b.lengthMs,
      ),
    };
  }

  private world(worldId: string): WorldState {
    let world = this.worlds.get(worldId);
    if (!world) {
      const counts = Object.fromEntries(ANALYTICS_COUNTERS.map((c) => [c, 0]));
      world = {
        applied: new Set(),
        totals: {
          ...(counts as Record<(typeof ANALYTICS_COUNTERS)[number], number>),
          worldId,
          playersNow: 0,
          firstEventAt: null,
          lastEventAt: null,
        },
        open: new Map(),
        players: new Map(),
        commands: new Map(),
        sessions: [],
      };
      this.worlds.set(worldId, world);
    }
    return world;
  }
}

/** What the repository's SQL does with a delta, on the in-memory state. */
function applyDelta(world: WorldState, delta: AnalyticsDelta, playerId: string | undefined): void {
  const { totals } = world;
  for (const counter of ANALYTICS_COUNTERS) totals[counter] += delta.counts[counter] ?? 0;
  if (delta.playersNow !== undefined) totals.playersNow = delta.playersNow;
  if (delta.at) {
    const at = delta.at.getTime();
    if (!totals.firstEventAt || at < totals.firstEventAt.getTime()) totals.firstEventAt = delta.at;
    if (!totals.lastEventAt || at > totals.lastEventAt.getTime()) totals.lastEventAt = delta.at;
  }
  if (playerId !== undefined && delta.presence === 'joined' && delta.at)
    world.open.set(playerId, delta.at);
  if (playerId !== undefined && delta.presence === 'left') world.open.delete(playerId);
  const bucket = delta.playerBucket;
  if (bucket) {
    const key = bucket.start.getTime();
    const row = world.players.get(key);
    world.players.set(
      key,
      row
        ? {
            start: row.start,
            joins: row.joins + bucket.joins,
            leaves: row.leaves + bucket.leaves,
            peak: Math.max(row.peak, bucket.peak),
            last: bucket.last,
          }
        : { ...bucket },
    );
  }
  const second = delta.commandSecond;
  if (second) {
    const key = second.second.getTime();
    const row = world.commands.get(key);
    world.commands.set(key, {
      start: second.second,
      entries: (row?.entries ?? 0) + second.entries,
      intents: (row?.intents ?? 0) + second.intents,
    });
  }
  if (delta.session)
    world.sessions.push({ leftAt: delta.session.leftAt, lengthMs: delta.session.lengthMs });
}
