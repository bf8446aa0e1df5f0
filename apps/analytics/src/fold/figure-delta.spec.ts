import { deltaOf } from './figure-delta';

const T = Date.parse('2026-12-01T10:00:00.000Z');
const base = { worldId: 'w', eventId: 'e' };

describe('deltaOf', () => {
  it('opens a session for a join of an absent player, in its 10-second bucket', () => {
    expect(
      deltaOf(
        { ...base, kind: 'joined', at: T + 12_345, playerId: 'a' },
        {
          playersNow: 2,
          joinedAt: null,
        },
      ),
    ).toEqual({
      at: new Date(T + 12_345),
      counts: { events: 1, joins: 1 },
      playersNow: 3,
      presence: 'joined',
      playerBucket: { start: new Date(T + 10_000), joins: 1, leaves: 0, peak: 3, last: 3 },
    });
  });

  it('counts a join of a present player as repeated and changes nothing else', () => {
    expect(
      deltaOf(
        { ...base, kind: 'joined', at: T, playerId: 'a' },
        {
          playersNow: 1,
          joinedAt: new Date(T - 5),
        },
      ),
    ).toEqual({ at: new Date(T), counts: { events: 1, repeatedJoins: 1 } });
  });

  it('closes the session of a present player; never a negative length', () => {
    const joinedAt = new Date(T);
    const left = deltaOf(
      { ...base, kind: 'left', at: T + 61_000, playerId: 'a' },
      {
        playersNow: 4,
        joinedAt,
      },
    );
    expect(left).toMatchObject({
      counts: { events: 1, leaves: 1, sessions: 1 },
      playersNow: 3,
      presence: 'left',
      playerBucket: { start: new Date(T + 60_000), joins: 0, leaves: 1, peak: 4, last: 3 },
      session: { joinedAt, leftAt: new Date(T + 61_000), lengthMs: 61_000 },
    });
    const skewed = deltaOf(
      { ...base, kind: 'left', at: T - 100, playerId: 'a' },
      {
        playersNow: 1,
        joinedAt,
      },
    );
    expect(skewed.session?.lengthMs).toBe(0);
  });

  it('counts a leave of an absent player as unmatched', () => {
    expect(
      deltaOf({ ...base, kind: 'left', at: T, playerId: 'a' }, { playersNow: 0, joinedAt: null }),
    ).toEqual({ at: new Date(T), counts: { events: 1, unmatchedLeaves: 1 } });
  });

  it('counts intents per second, and an entry without intents as an epoch marker', () => {
    const state = { playersNow: 0, joinedAt: null };
    expect(deltaOf({ ...base, kind: 'commands', at: T + 1_999, intents: 3 }, state)).toEqual({
      at: new Date(T + 1_999),
      counts: { events: 1, commandEntries: 1, intents: 3, epochMarkers: 0 },
      commandSecond: { second: new Date(T + 1_000), entries: 1, intents: 3 },
    });
    expect(deltaOf({ ...base, kind: 'commands', at: T, intents: 0 }, state).counts).toMatchObject({
      epochMarkers: 1,
      intents: 0,
    });
  });

  it('counts other events, and malformed ones without their time', () => {
    const state = { playersNow: 0, joinedAt: null };
    expect(deltaOf({ ...base, kind: 'other', at: T }, state)).toEqual({
      at: new Date(T),
      counts: { events: 1 },
    });
    expect(deltaOf({ ...base, kind: 'malformed', reason: 'x' }, state)).toEqual({
      at: null,
      counts: { malformed: 1 },
    });
  });
});
