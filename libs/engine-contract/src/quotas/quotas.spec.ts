import fc from 'fast-check';
import { CapacityError } from '../errors/engine-error';
import { requireBodyRoom } from './body-quota';
import { CallRateLimiter } from './call-rate';
import { WorldQuota } from './world-quota';

describe('CallRateLimiter', () => {
  it('admits perSecond calls per caller per window, then RESOURCE_EXHAUSTED naming the quota', () => {
    const limiter = new CallRateLimiter({ perSecond: 3, maxCallers: 10 });
    for (let i = 0; i < 3; i++) limiter.admit('gateway', 0);
    expect(() => limiter.admit('gateway', 999)).toThrow(
      new CapacityError('caller "gateway" is over its quota of 3 calls per second'),
    );
    limiter.admit('other', 999);
    limiter.admit('gateway', 1_000);
  });

  it('refuses a new caller past maxCallers until a window ends', () => {
    const limiter = new CallRateLimiter({ perSecond: 1, maxCallers: 2 });
    limiter.admit('a', 0);
    limiter.admit('b', 500);
    expect(() => limiter.admit('c', 900)).toThrow(/too many distinct callers/);
    limiter.admit('c', 1_000);
    expect(limiter.trackedCallers).toBe(2);
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => new CallRateLimiter({ perSecond: 0, maxCallers: 1 })).toThrow(RangeError);
  });

  it('never tracks more than maxCallers, nor admits more than perSecond in a window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 400 })), {
          maxLength: 200,
        }),
        (perSecond, maxCallers, calls) => {
          const limiter = new CallRateLimiter({ perSecond, maxCallers });
          let now = 0;
          const admitted = new Map<string, number[]>();
          for (const [caller, step] of calls) {
            now += step;
            try {
              limiter.admit(`c${caller}`, now);
              admitted.set(`c${caller}`, [...(admitted.get(`c${caller}`) ?? []), now]);
            } catch (error) {
              expect(error).toBeInstanceOf(CapacityError);
            }
            expect(limiter.trackedCallers).toBeLessThanOrEqual(maxCallers);
          }
          for (const times of admitted.values())
            for (const t of times)
              expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(
                2 * perSecond,
              );
        },
      ),
    );
  });
});

describe('WorldQuota', () => {
  it('limits worlds per engine and per caller, naming the limit, and frees on release', () => {
    const quota = new WorldQuota({ maxWorlds: 3, maxWorldsPerCaller: 2 });
    quota.reserve('a', 'w1');
    quota.reserve('a', 'w2');
    quota.reserve('a', 'w2');
    expect(() => quota.reserve('a', 'w3')).toThrow(/MAX_WORLDS_PER_CALLER/);
    quota.reserve('b', 'w3');
    expect(() => quota.reserve('b', 'w4')).toThrow(/engine is full: 3 worlds \(MAX_WORLDS\)/);
    quota.release('w1');
    quota.release('w1');
    quota.reserve('a', 'w4');
    expect(quota.heldBy('a')).toBe(2);
    expect(quota.size).toBe(3);
  });

  it('stays within its limits under any sequence of reserves and releases', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 20 })),
          { maxLength: 300 },
        ),
        (ops) => {
          const quota = new WorldQuota({ maxWorlds: 8, maxWorldsPerCaller: 3 });
          for (const [reserve, caller, world] of ops) {
            if (reserve) {
              try {
                quota.reserve(`c${caller}`, `w${world}`);
              } catch (error) {
                expect(error).toBeInstanceOf(CapacityError);
              }
            } else quota.release(`w${world}`);
            expect(quota.size).toBeLessThanOrEqual(8);
            for (let c = 0; c < 4; c++) expect(quota.heldBy(`c${c}`)).toBeLessThanOrEqual(3);
          }
        },
      ),
    );
  });
});

describe('requireBodyRoom', () => {
  it('refuses at the engine-wide limit, naming it', () => {
    expect(() => requireBodyRoom(9, 10)).not.toThrow();
    expect(() => requireBodyRoom(10, 10)).toThrow(/MAX_BODIES_TOTAL/);
  });
});
