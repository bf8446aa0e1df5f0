import { EVENT_TYPES, worldTopic, type EventBus } from '@anvil/bus';
import { entryFromEvent, type CommandLogEntry } from './command-log-entry';
import type { LogCheckpoint } from './replay';

/**
 * How long before its checkpoint was saved a world's log is read back from when the checkpoint
 * does not say when its last entry was appended (rows written before it did; docs/decisions.md,
 * "Command log"). The entries a restore needs after a checkpoint were appended after its state
 * was taken, so before the checkpoint's `createdAt` by at most the save's duration (waiting for
 * the entry it includes to be acknowledged, then the database write) plus the skew between the
 * engine's clock (the records' timestamps) and the database's (`createdAt`). A bound too late
 * only costs a second, whole read (`reachesCheckpoint`); a bound earlier than needed reads more.
 */
export const LOG_READ_MARGIN_MS = 60_000;

/**
 * How long before the checkpoint's last entry was appended a restore reads the log from. The
 * entries it needs come after that one, whose record its writer stamped with the same clock, so
 * no skew is involved; the window is for the idempotency keys: the world relearns those of the
 * commands appended in it, so a caller that retries a command whose answer was lost in the
 * failover (within its deadline, 5 s by default) gets the first answer. It also absorbs a clock
 * stepped back between an entry's append and its send.
 */
export const LOG_KEYS_WINDOW_MS = 10_000;

/**
 * Where to start reading a world's log for a restore from `checkpoint` (epoch ms): the keys'
 * window before its last entry was appended, else (not recorded) the margin before it was saved;
 * undefined (from the start) without a checkpoint, or one that includes no entry (nothing would
 * show that the read reached back far enough).
 */
export function logReadBound(
  checkpoint: { createdAt: Date; logSeq: number; logAppendedAt?: Date | null } | null | undefined,
): number | undefined {
  if (!checkpoint || checkpoint.logSeq <= 0) return undefined;
  if (checkpoint.logAppendedAt) return checkpoint.logAppendedAt.getTime() - LOG_KEYS_WINDOW_MS;
  return checkpoint.createdAt.getTime() - LOG_READ_MARGIN_MS;
}

/**
 * Whether a log read from a bound (the world's entries from some point of the log on) reaches
 * back to `checkpoint`: it holds the checkpoint's last entry (its `logSeq`, of its epoch). Every
 * entry a restore needs comes after that one in the log (its writer appends in seq order and
 * appends again, in order, what the bus may not have taken; a newer owner appends only after it
 * read the log), so then nothing it needs was left out. Without it, entries after the checkpoint
 * may be missing, unseen when all of them are: read the whole log.
 */
export function reachesCheckpoint(
  checkpoint: Pick<LogCheckpoint, 'logSeq' | 'epoch'>,
  log: readonly CommandLogEntry[],
): boolean {
  const epoch = checkpoint.epoch ?? 0;
  return log.some((entry) => entry.seq === checkpoint.logSeq && entry.epoch === epoch);
}

/**
 * A world's command log as the bus holds it now, in log order (what `entriesAfter` sorts out);
 * with `sinceMs`, the bus may leave out entries older than that (see `ReadKeyOptions`). Undefined
 * when the bus cannot read back.
 */
export async function readWorldLog(
  bus: EventBus,
  worldId: string,
  topicPrefix?: string,
  sinceMs?: number,
): Promise<CommandLogEntry[] | undefined> {
  if (!bus.readKey) return undefined;
  const topic = worldTopic('commands', topicPrefix);
  const events = await bus.readKey(topic, worldId, sinceMs === undefined ? undefined : { sinceMs });
  return events
    .filter((event) => event.type === EVENT_TYPES.commandsApplied && event.subject === worldId)
    .map(entryFromEvent)
    .filter((entry) => entry.worldId === worldId);
}

/**
 * How far back a replica that may take worlds over holds the command log in memory
 * (`EventBus.followKeys`): a restore reads from its checkpoint's last entry less
 * LOG_KEYS_WINDOW_MS, and a checkpoint is taken every CHECKPOINT_EVERY_TICKS (300 by default:
 * 15 s at 20 Hz), so a minute covers a restore from any recent checkpoint with room to spare.
 * Older reads go to the bus as before.
 */
export const LOG_TAIL_RETAIN_MS = 60_000;

/**
 * Starts holding the recent command log in memory, when the bus can: a takeover's log read then
 * waits only for the bus to catch up instead of reading the world's partition back (in
 * test/failover, under load, that read was most of a restore). Failing only costs that.
 */
export function followWorldLogs(
  bus: EventBus,
  topicPrefix: string | undefined,
  onError: (error: unknown) => void,
): void {
  bus
    .followKeys?.(worldTopic('commands', topicPrefix), { retainMs: LOG_TAIL_RETAIN_MS })
    .catch(onError);
}
