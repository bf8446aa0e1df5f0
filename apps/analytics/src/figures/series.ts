import type { CommandBucket, PlayerBucket } from '@anvil/storage';
import type { FiguresWindow } from './window';

/** One point of the players series. */
export interface PlayerPoint {
  start: Date;
  /** Most players present at once in the bucket. */
  peak: number;
  /** Players present at the bucket's end. */
  end: number;
  joins: number;
  leaves: number;
}

/** One point of the commands series. */
export interface CommandPoint {
  start: Date;
  /** Intents applied in the bucket, and per second. */
  intents: number;
  perSecond: number;
  /** Command-log entries (each a tick's batch; epoch markers included). */
  entries: number;
}

/** Every bucket start of the window, oldest first. */
function starts(window: FiguresWindow, bucketSeconds: number): number[] {
  const step = bucketSeconds * 1000;
  const result: number[] = [];
  for (let t = window.from.getTime(); t < window.to.getTime(); t += step) result.push(t);
  return result;
}

/**
 * The players series over the whole window: a bucket without events holds the players present
 * before it (`carried` for the first ones).
 */
export function playerSeries(
  window: FiguresWindow,
  bucketSeconds: number,
  carried: number,
  buckets: PlayerBucket[],
): PlayerPoint[] {
  const byStart = new Map(buckets.map((b) => [b.start.getTime(), b]));
  let present = carried;
  return starts(window, bucketSeconds).map((t) => {
    const row = byStart.get(t);
    if (!row) return { start: new Date(t), peak: present, end: present, joins: 0, leaves: 0 };
    present = row.last;
    return {
      start: new Date(t),
      peak: row.peak,
      end: row.last,
      joins: row.joins,
      leaves: row.leaves,
    };
  });
}

/** The commands series over the whole window; a bucket without entries is zero. */
export function commandSeries(
  window: FiguresWindow,
  bucketSeconds: number,
  buckets: CommandBucket[],
): CommandPoint[] {
  const byStart = new Map(buckets.map((b) => [b.start.getTime(), b]));
  return starts(window, bucketSeconds).map((t) => {
    const row = byStart.get(t);
    const intents = row?.intents ?? 0;
    return {
      start: new Date(t),
      intents,
      perSecond: intents / bucketSeconds,
      entries: row?.entries ?? 0,
    };
  });
}
