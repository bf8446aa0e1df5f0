import { ANALYTICS_COUNTERS, type AnalyticsDelta, type AnalyticsRange } from '../domain';
import { InvalidInputError } from '../errors';
import { instant, integer } from '../validation';

/** Most buckets one figures query returns, and most worlds one list returns. */
export const MAX_SERIES = 10_000;
/** Widest bucket of a figures query (a day). */
export const MAX_BUCKET_SECONDS = 86_400;
/** Largest count one event may add to a figure (an entry's intents are bounded far below). */
const MAX_STEP = 1_000_000;

/** A range with `from` before `to` and a bucket of 1 s .. 1 day. */
export function checkRange(range: AnalyticsRange): AnalyticsRange {
  const from = instant('from', range?.from);
  const to = instant('to', range.to);
  if (from.getTime() >= to.getTime()) throw new InvalidInputError('to', 'must be after from');
  const bucketSeconds = integer('bucketSeconds', range.bucketSeconds, 1, MAX_BUCKET_SECONDS);
  return { from, to, bucketSeconds };
}

const count = (field: string, value: unknown) => integer(field, value, 0, MAX_STEP);

/**
 * Checks the change `decide` returned before anything of it is written (a bad one rolls the
 * event's transaction back): counts non-negative, dates valid, presence only for a player.
 */
export function checkDelta(delta: AnalyticsDelta, hasPlayer: boolean): AnalyticsDelta {
  if (typeof delta !== 'object' || delta === null)
    throw new InvalidInputError('delta', 'must be an object');
  if (delta.at !== null) instant('delta.at', delta.at);
  for (const counter of ANALYTICS_COUNTERS) {
    const value = delta.counts?.[counter];
    if (value !== undefined) count(`delta.counts.${counter}`, value);
  }
  if (delta.playersNow !== undefined) count('delta.playersNow', delta.playersNow);
  if (delta.presence !== undefined) {
    if (!hasPlayer) throw new InvalidInputError('delta.presence', 'needs a playerId in the key');
    if (delta.presence !== 'joined' && delta.presence !== 'left')
      throw new InvalidInputError('delta.presence', 'must be "joined" or "left"');
    if (delta.presence === 'joined' && delta.at === null)
      throw new InvalidInputError('delta.at', 'is required for a join');
  }
  const bucket = delta.playerBucket;
  if (bucket) {
    instant('delta.playerBucket.start', bucket.start);
    for (const key of ['joins', 'leaves', 'peak', 'last'] as const)
      count(`delta.playerBucket.${key}`, bucket[key]);
  }
  const second = delta.commandSecond;
  if (second) {
    instant('delta.commandSecond.second', second.second);
    count('delta.commandSecond.entries', second.entries);
    count('delta.commandSecond.intents', second.intents);
  }
  const session = delta.session;
  if (session) {
    if (!hasPlayer) throw new InvalidInputError('delta.session', 'needs a playerId in the key');
    instant('delta.session.joinedAt', session.joinedAt);
    instant('delta.session.leftAt', session.leftAt);
    integer('delta.session.lengthMs', session.lengthMs, 0);
  }
  return delta;
}
