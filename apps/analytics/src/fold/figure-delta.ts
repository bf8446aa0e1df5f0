import type { AnalyticsDelta, AnalyticsWorldState } from '@anvil/storage';
import type { AnalyticsInput } from './analytics-input';

/** Width of the stored players buckets. */
export const PLAYER_BUCKET_MS = 10_000;
/** Width of the stored command buckets (commands per second). */
export const COMMAND_BUCKET_MS = 1_000;

const floorTo = (ms: number, width: number) => new Date(Math.floor(ms / width) * width);

/**
 * The change one event makes to its world's figures, from the world's state before it: the
 * fold's step, pure. Times are event times, so a recount from the topic gives the same figures.
 *
 * - A join of a player not present opens a session; of one present, it only counts as repeated.
 * - A leave of a player present closes the session (length ≥ 0 even if clocks disagreed); of
 *   one absent, it only counts as unmatched.
 * - A command-log entry counts its intents in its second; one without intents is an epoch marker.
 */
export function deltaOf(input: AnalyticsInput, state: AnalyticsWorldState): AnalyticsDelta {
  switch (input.kind) {
    case 'malformed':
      return { at: null, counts: { malformed: 1 } };
    case 'other':
      return { at: new Date(input.at), counts: { events: 1 } };
    case 'commands':
      return {
        at: new Date(input.at),
        counts: {
          events: 1,
          commandEntries: 1,
          intents: input.intents,
          epochMarkers: input.intents === 0 ? 1 : 0,
        },
        commandSecond: {
          second: floorTo(input.at, COMMAND_BUCKET_MS),
          entries: 1,
          intents: input.intents,
        },
      };
    case 'joined':
      return state.joinedAt ? repeatedJoin(input.at) : join(input.at, state.playersNow + 1);
    case 'left':
      return state.joinedAt
        ? leave(input.at, state.joinedAt, state.playersNow)
        : { at: new Date(input.at), counts: { events: 1, unmatchedLeaves: 1 } };
  }
}

function repeatedJoin(at: number): AnalyticsDelta {
  return { at: new Date(at), counts: { events: 1, repeatedJoins: 1 } };
}

function join(at: number, now: number): AnalyticsDelta {
  return {
    at: new Date(at),
    counts: { events: 1, joins: 1 },
    playersNow: now,
    presence: 'joined',
    playerBucket: {
      start: floorTo(at, PLAYER_BUCKET_MS),
      joins: 1,
      leaves: 0,
      peak: now,
      last: now,
    },
  };
}

function leave(at: number, joinedAt: Date, before: number): AnalyticsDelta {
  const now = Math.max(0, before - 1);
  return {
    at: new Date(at),
    counts: { events: 1, leaves: 1, sessions: 1 },
    playersNow: now,
    presence: 'left',
    // The count before the leave is the most present in this bucket so far (if it is the first).
    playerBucket: {
      start: floorTo(at, PLAYER_BUCKET_MS),
      joins: 0,
      leaves: 1,
      peak: before,
      last: now,
    },
    session: {
      joinedAt,
      leftAt: new Date(at),
      lengthMs: Math.max(0, at - joinedAt.getTime()),
    },
  };
}
