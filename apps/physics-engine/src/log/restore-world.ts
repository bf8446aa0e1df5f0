import type { Rapier } from '../simulation/rapier';
import type { SimulationOptions } from '../simulation/world-simulation';
import type { CommandLogEntry } from './command-log-entry';
import { entriesAfter, replayLog, type LogCheckpoint, type Replayed } from './replay';

/**
 * A world brought back after its engine lost it: the checkpoint (or the world's first state)
 * plus every log entry after it, so it continues at the last logged tick, not the checkpoint's.
 * It remembers the idempotency keys of the log's entries (those the checkpoint holds too), so a
 * command repeated after a failover is answered once. Throws `CommandLogError` when the log
 * does not fit.
 */
export function restoreWorld(
  rapier: Rapier,
  base: LogCheckpoint,
  log: Iterable<CommandLogEntry>,
  options: SimulationOptions,
): Replayed {
  const all = [...log];
  const { entries } = entriesAfter(base, all);
  const untilTick = entries.length > 0 ? entries[entries.length - 1].tick : base.tick;
  return replayLog(rapier, base, all, untilTick, options);
}
