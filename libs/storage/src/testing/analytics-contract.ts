import type { AnalyticsDelta, AnalyticsWorldState } from '../domain';
import type { Storage } from '../storage';
import { uid } from './fixtures';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const bucketOf = (seconds: number) => at(Math.floor(seconds / 10) * 10);

/** A join as the analytics fold would decide it (enough to exercise the repository). */
const join =
  (seconds: number) =>
  (state: AnalyticsWorldState): AnalyticsDelta => {
    const now = state.joinedAt ? state.playersNow : state.playersNow + 1;
    return {
      at: at(seconds),
      counts: state.joinedAt ? { events: 1, repeatedJoins: 1 } : { events: 1, joins: 1 },
      playersNow: now,
      presence: state.joinedAt ? undefined : 'joined',
      playerBucket: {
        start: bucketOf(seconds),
        joins: state.joinedAt ? 0 : 1,
        leaves: 0,
        peak: now,
        last: now,
      },
    };
  };

const leave =
  (seconds: number) =>
  (state: AnalyticsWorldState): AnalyticsDelta => {
    if (!state.joinedAt) return { at: at(seconds), counts: { events: 1, unmatchedLeaves: 1 } };
    const now = state.playersNow - 1;
    return {
      at: at(seconds),
      counts: { events: 1, leaves: 1, sessions: 1 },
      playersNow: now,
      presence: 'left',
      playerBucket: { start: bucketOf(seconds), joins: 0, leaves: 1, peak: now + 1, last: now },
      session: {
        joinedAt: state.joinedAt,
        leftAt: at(seconds),
        lengthMs: at(seconds).getTime() - state.joinedAt.getTime(),
      },
    };
  };

const entry = (seconds: number, intents: number) => (): AnalyticsDelta => ({
  at: at(seconds),
  counts: { events: 1, commandEntries: 1, intents, epochMarkers: intents === 0 ? 1 : 0 },
  commandSecond: { second: at(Math.floor(seconds)), entries: 1, intents },
});

const RANGE = { from: at(-3600), to: at(3600) };

/** The analytics figures: each event applied once, in one transaction with its id. */
export function describeAnalytics(storage: () => Storage): void {
  describe('analytics figures', () => {
    const apply = (
      worldId: string,
      eventId: string,
      decide: (s: AnalyticsWorldState) => AnalyticsDelta,
      playerId?: string,
    ) => storage().analytics.apply({ worldId, eventId, playerId }, decide);

    it('applies an event once: a redelivered id changes nothing and is not decided again', async () => {
      const worldId = uid('aw');
      const decide = jest.fn(join(1));
      expect(await apply(worldId, 'e1', decide, 'ann')).toBe(true);
      expect(await apply(worldId, 'e1', decide, 'ann')).toBe(false);
      expect(decide).toHaveBeenCalledTimes(1);
      expect(decide).toHaveBeenCalledWith({ playersNow: 0, joinedAt: null });
      expect(await storage().analytics.totals(worldId)).toEqual({
        worldId,
        playersNow: 1,
        firstEventAt: at(1),
        lastEventAt: at(1),
        events: 1,
        malformed: 0,
        joins: 1,
        leaves: 0,
        repeatedJoins: 0,
        unmatchedLeaves: 0,
        sessions: 0,
        commandEntries: 0,
        intents: 0,
        epochMarkers: 0,
      });
      expect(await storage().analytics.totals(uid('none'))).toBeNull();
    });

    it("hands the decision the world's players and the player's join time", async () => {
      const worldId = uid('aw');
      await apply(worldId, 'j-ann', join(1), 'ann');
      await apply(worldId, 'j-bob', join(2), 'bob');
      const seen: AnalyticsWorldState[] = [];
      await apply(
        worldId,
        'l-ann',
        (state) => {
          seen.push(state);
          return leave(31)(state);
        },
        'ann',
      );
      expect(seen).toEqual([{ playersNow: 2, joinedAt: at(1) }]);
      await apply(worldId, 'l-ann-again', leave(40), 'ann');
      await apply(worldId, 'j-bob-again', join(41), 'bob');
      expect(await storage().analytics.totals(worldId)).toMatchObject({
        playersNow: 1,
        joins: 2,
        leaves: 1,
        sessions: 1,
        unmatchedLeaves: 1,
        repeatedJoins: 1,
        events: 5,
        firstEventAt: at(1),
        lastEventAt: at(41),
      });
    });

    it('keeps players per bucket, grouped into wider buckets, with the count carried into a range', async () => {
      const worldId = uid('aw');
      await apply(worldId, 'a', join(1), 'a');
      await apply(worldId, 'b', join(5), 'b');
      await apply(worldId, 'c', join(12), 'c');
      await apply(worldId, 'la', leave(15), 'a');
      await apply(worldId, 'lb', leave(75), 'b');
      const { analytics } = storage();
      expect(await analytics.players(worldId, { ...RANGE, bucketSeconds: 10 })).toEqual({
        carried: 0,
        buckets: [
          { start: at(0), joins: 2, leaves: 0, peak: 2, last: 2 },
          { start: at(10), joins: 1, leaves: 1, peak: 3, last: 2 },
          { start: at(70), joins: 0, leaves: 1, peak: 2, last: 1 },
        ],
      });
      expect(await analytics.players(worldId, { ...RANGE, bucketSeconds: 60 })).toEqual({
        carried: 0,
        buckets: [
          { start: at(0), joins: 3, leaves: 1, peak: 3, last: 2 },
          { start: at(60), joins: 0, leaves: 1, peak: 2, last: 1 },
        ],
      });
      const later = await analytics.players(worldId, {
        from: at(20),
        to: at(60),
        bucketSeconds: 10,
      });
      expect(later).toEqual({ carried: 2, buckets: [] });
    });

    it('sums command-log entries and intents per bucket', async () => {
      const worldId = uid('aw');
      await apply(worldId, 's1', entry(0.2, 3));
      await apply(worldId, 's2', entry(0.9, 2));
      await apply(worldId, 's3', entry(1.5, 0));
      await apply(worldId, 's4', entry(11, 4));
      const { analytics } = storage();
      expect(await analytics.commands(worldId, { ...RANGE, bucketSeconds: 1 })).toEqual([
        { start: at(0), entries: 2, intents: 5 },
        { start: at(1), entries: 1, intents: 0 },
        { start: at(11), entries: 1, intents: 4 },
      ]);
      expect(await analytics.commands(worldId, { ...RANGE, bucketSeconds: 10 })).toEqual([
        { start: at(0), entries: 3, intents: 5 },
        { start: at(10), entries: 1, intents: 4 },
      ]);
      expect(await analytics.totals(worldId)).toMatchObject({
        commandEntries: 4,
        intents: 9,
        epochMarkers: 1,
      });
    });

    it('gives count, mean, median, 95th percentile and longest of the sessions in a window', async () => {
      const worldId = uid('aw');
      const lengths = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
      for (const [i, seconds] of lengths.entries()) {
        await apply(worldId, `j${i}`, join(0), `p${i}`);
        await apply(worldId, `l${i}`, leave(seconds), `p${i}`);
      }
      const { analytics } = storage();
      expect(await analytics.sessions(worldId, RANGE)).toEqual({
        count: 10,
        meanMs: 55_000,
        p50Ms: 50_000,
        p95Ms: 100_000,
        maxMs: 100_000,
      });
      expect(await analytics.sessions(worldId, { from: at(0), to: at(31) })).toMatchObject({
        count: 3,
        maxMs: 30_000,
      });
      expect(await analytics.sessions(uid('none'), RANGE)).toEqual({
        count: 0,
        meanMs: null,
        p50Ms: null,
        p95Ms: null,
        maxMs: null,
      });
    });

    it('lists the worlds with figures by id, paged', async () => {
      const prefix = uid('list');
      for (const name of ['c', 'a', 'b'])
        await apply(`${prefix}-${name}`, 'x', () => ({ at: null, counts: { malformed: 1 } }));
      const { analytics } = storage();
      const page = await analytics.worlds({ after: `${prefix}-a`, limit: 2 });
      expect(page.map((w) => [w.worldId, w.malformed, w.firstEventAt])).toEqual([
        [`${prefix}-b`, 1, null],
        [`${prefix}-c`, 1, null],
      ]);
    });

    it('writes nothing, not even the id, when the decision fails or is invalid', async () => {
      const worldId = uid('aw');
      const boom = apply(worldId, 'e', () => {
        throw new Error('boom');
      });
      await expect(boom).rejects.toThrow('boom');
      await expect(
        apply(worldId, 'e', () => ({ at: at(1), counts: { joins: -1 } })),
      ).rejects.toMatchObject({ name: 'InvalidInputError', field: 'delta.counts.joins' });
      await expect(
        apply(worldId, 'e', () => ({ at: at(1), counts: {}, presence: 'joined' })),
      ).rejects.toMatchObject({ field: 'delta.presence' });
      expect(await storage().analytics.totals(worldId)).toBeNull();
      expect(await apply(worldId, 'e', join(1), 'ann')).toBe(true);
    });

    it('applies an id once however many deliveries race', async () => {
      const worldId = uid('aw');
      const results = await Promise.all(
        Array.from({ length: 6 }, () => apply(worldId, 'same', join(1), 'ann')),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage().analytics.totals(worldId)).toMatchObject({ joins: 1, events: 1 });
    });

    it('refuses bad input with the field named', async () => {
      const { analytics } = storage();
      await expect(apply('', 'e', join(1))).rejects.toMatchObject({ field: 'worldId' });
      await expect(apply('w', 'x'.repeat(300), join(1))).rejects.toMatchObject({
        field: 'eventId',
      });
      await expect(
        analytics.players('w', { from: at(10), to: at(0), bucketSeconds: 10 }),
      ).rejects.toMatchObject({ field: 'to' });
      await expect(
        analytics.commands('w', { ...RANGE, bucketSeconds: 86_401 }),
      ).rejects.toMatchObject({ field: 'bucketSeconds' });
      await expect(
        analytics.sessions('w', { from: new Date(NaN), to: at(0) }),
      ).rejects.toMatchObject({ field: 'from' });
      await expect(analytics.worlds({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    });
  });
}
