import type { Rapier } from '../simulation/rapier';
import { WorldSimulation, type SimulationOptions } from '../simulation/world-simulation';
import type { CommandLogEntry } from './command-log-entry';
import { CommandLogError } from './command-log-error';

/**
 * A checkpoint as replay needs it: the state, its tick and the seq of the last log entry it
 * includes (0: none). Its pending intents are not part of it: the entry of `tick + 1` carries
 * them (docs/engine-contract.md, "The command log").
 */
export interface LogCheckpoint {
  state: Uint8Array;
  tick: number;
  logSeq: number;
  /** The lease epoch of its writer (0 or absent: none). */
  epoch?: number;
}

/** The entries to apply after a checkpoint, and what was left out. */
export interface EntriesAfter {
  /** seq logSeq+1, logSeq+2, … in order, apply ticks strictly increasing. */
  entries: CommandLogEntry[];
  /** Entries of a fenced (older-epoch) writer and duplicates of an entry written twice. */
  dropped: number;
  /**
   * The entries the checkpoint already holds (seq ≤ logSeq) that are part of its history, as
   * far as the log still has them, in seq order: their intents are in its state, their
   * idempotency keys are learned again.
   */
  before: CommandLogEntry[];
}

const sameEntry = (a: CommandLogEntry, b: CommandLogEntry): boolean =>
  a.tick === b.tick &&
  a.epoch === b.epoch &&
  JSON.stringify(a.intents) === JSON.stringify(b.intents) &&
  JSON.stringify(a.keys ?? []) === JSON.stringify(b.keys ?? []);

/**
 * Reads a world's log (in log order) into the entries that follow a checkpoint. Rules:
 * - seq ≤ `logSeq`: already in the checkpoint's state, skipped;
 * - after `logSeq` with an epoch older than the checkpoint's: a fenced writer's append that the
 *   checkpoint's writer never applied, dropped;
 * - an older epoch than one already seen: a fenced writer's late append, dropped;
 * - a newer epoch supersedes the older-epoch entries from its first seq on (their writer was
 *   fenced before the new one took over, so they are not in the new writer's history);
 * - the same seq again with the same epoch and content: an append written twice, dropped;
 *   with other content: `LOG_CONFLICT`;
 * - a missing seq: `LOG_GAP`; an apply tick not after the previous one (or the checkpoint's):
 *   `LOG_TICK_ORDER` (an epoch marker, with no intents, may share the previous tick).
 */
export function entriesAfter(
  checkpoint: Pick<LogCheckpoint, 'tick' | 'logSeq' | 'epoch'>,
  log: Iterable<CommandLogEntry>,
): EntriesAfter {
  const accepted: CommandLogEntry[] = [];
  const before: CommandLogEntry[] = [];
  let dropped = 0;
  let epoch = -1;
  for (const entry of log) {
    if (entry.seq > checkpoint.logSeq && entry.epoch < (checkpoint.epoch ?? 0)) {
      dropped++;
      continue;
    }
    if (entry.epoch < epoch) {
      dropped++;
      continue;
    }
    if (entry.epoch > epoch) {
      epoch = entry.epoch;
      while (accepted.length > 0 && accepted[accepted.length - 1].seq >= entry.seq) {
        accepted.pop();
        dropped++;
      }
      while (before.length > 0 && before[before.length - 1].seq >= entry.seq) before.pop();
    }
    if (entry.seq <= checkpoint.logSeq) {
      // Already in the checkpoint's state; kept for its keys (once, and only in seq order).
      if (entry.seq > (before[before.length - 1]?.seq ?? 0)) before.push(entry);
      continue;
    }
    const last = accepted[accepted.length - 1];
    const expected = last ? last.seq + 1 : checkpoint.logSeq + 1;
    if (entry.seq < expected) {
      const earlier = accepted[entry.seq - checkpoint.logSeq - 1];
      if (!sameEntry(earlier, entry)) {
        throw new CommandLogError(
          'LOG_CONFLICT',
          `two different entries ${entry.seq} of epoch ${entry.epoch}`,
          entry.seq,
        );
      }
      dropped++;
      continue;
    }
    if (entry.seq > expected) {
      throw new CommandLogError(
        'LOG_GAP',
        `entry ${expected} is missing (the next one is ${entry.seq})`,
        expected,
      );
    }
    const previousTick = last ? last.tick : checkpoint.tick;
    // A marker applies nothing: it may share the tick of the entry before it.
    const marker = entry.intents.length === 0;
    if (marker ? entry.tick < previousTick : entry.tick <= previousTick) {
      throw new CommandLogError(
        'LOG_TICK_ORDER',
        `entry ${entry.seq} applies at tick ${entry.tick}, not after tick ${previousTick}`,
        entry.seq,
      );
    }
    accepted.push(entry);
  }
  return { entries: accepted, dropped, before };
}

/** What a replay reached. */
export interface Replayed {
  /** The world at `untilTick`, with nothing queued. */
  sim: WorldSimulation;
  /** The seq of the last entry applied (the checkpoint's when none). */
  logSeq: number;
  /** See `EntriesAfter.dropped`. */
  dropped: number;
}

/**
 * Restores the checkpoint, drops its pending intents, then steps tick by tick to `untilTick`,
 * applying before each step the intents of the entry with that apply tick (entries after
 * `untilTick` are left). Pure: the same inputs give the same state hash in any process.
 * The world learns the idempotency keys of the entries the checkpoint holds and of those it
 * applies (they are not part of its state, so the hash is the same with or without them).
 * Throws `CommandLogError` when the log does not fit the checkpoint (see `entriesAfter`).
 */
export function replayLog(
  rapier: Rapier,
  checkpoint: LogCheckpoint,
  log: Iterable<CommandLogEntry>,
  untilTick: number,
  options: SimulationOptions,
): Replayed {
  const { entries, dropped, before } = entriesAfter(checkpoint, log);
  const sim = WorldSimulation.restore(rapier, checkpoint.state, options);
  try {
    if (sim.tick !== checkpoint.tick) {
      throw new CommandLogError(
        'LOG_MALFORMED',
        `the checkpoint says tick ${checkpoint.tick}, its state is at tick ${sim.tick}`,
      );
    }
    if (untilTick < sim.tick) {
      throw new CommandLogError(
        'LOG_TICK_ORDER',
        `cannot replay back to tick ${untilTick} from a checkpoint of tick ${sim.tick}`,
      );
    }
    sim.discardPending();
    for (const entry of before) sim.learnKeys(entry.tick, entry.intents, entry.keys);
    let logSeq = checkpoint.logSeq;
    for (const entry of entries) {
      if (entry.tick > untilTick) break;
      if (entry.intents.length === 0) {
        // An epoch marker: its writer resumed the world at this tick.
        while (sim.tick < entry.tick) sim.step();
        logSeq = entry.seq;
        continue;
      }
      while (sim.tick < entry.tick - 1) sim.step();
      for (const [i, intent] of entry.intents.entries()) {
        try {
          sim.enqueue(intent, false, entry.keys?.[i] ?? '');
        } catch (cause) {
          throw new CommandLogError(
            'LOG_INTENT_REFUSED',
            `entry ${entry.seq} (tick ${entry.tick}): the world refuses a logged ${intent.type}: ${String(cause)}`,
            entry.seq,
            { cause },
          );
        }
      }
      sim.step();
      logSeq = entry.seq;
    }
    while (sim.tick < untilTick) sim.step();
    return { sim, logSeq, dropped };
  } catch (error) {
    sim.free();
    throw error;
  }
}

/** `replayLog` for callers that need only the world: the state at `untilTick`. */
export function replay(
  rapier: Rapier,
  checkpoint: LogCheckpoint,
  log: Iterable<CommandLogEntry>,
  untilTick: number,
  options: SimulationOptions,
): WorldSimulation {
  return replayLog(rapier, checkpoint, log, untilTick, options).sim;
}
