import fc from 'fast-check';

import { TailBuffer, type TailRecord } from './tail-buffer';

const record = (offset: number, key: string, timestamp: number, value = `v${offset}`) => ({
  offset,
  key,
  value,
  timestamp,
});

/** What a read from Kafka gives: from the offset its lookup by time finds, the key's records from its first one stamped then or later. */
function fromKafka(log: TailRecord[], key: string, sinceMs: number, to: number): TailRecord[] {
  const start = log.findIndex((r) => r.timestamp >= sinceMs);
  if (start < 0) return [];
  const ofKey = log.slice(start).filter((r) => r.key === key && r.offset < to);
  const first = ofKey.findIndex((r) => r.timestamp >= sinceMs);
  return first < 0 ? [] : ofKey.slice(first);
}

describe('TailBuffer', () => {
  it('answers a key’s records from its first one stamped at or after the bound, up to the end asked', () => {
    const tail = new TailBuffer({ retainMs: 60_000, maxBytes: 1 << 20 });
    tail.start(0, 10, 1_000);
    tail.add(
      0,
      [
        record(10, 'a', 1_000),
        record(11, 'b', 1_100),
        record(12, 'a', 1_200),
        record(13, 'a', 900),
      ],
      14,
      2_000,
    );
    expect(tail.position(0)).toBe(14);
    expect(tail.read(0, 'a', 1_100, 14).map((r) => r.offset)).toEqual([12, 13]);
    expect(tail.read(0, 'a', 1_000, 13).map((r) => r.offset)).toEqual([10, 12]);
    expect(tail.read(0, 'b', 1_200, 14)).toEqual([]);
    expect(tail.covers(0, 999)).toBe(false);
    expect(tail.covers(0, 1_000)).toBe(true);
    expect(tail.covers(1, 1_000)).toBe(false);
  });

  it('skips records it has (a batch fetched again) and moves past offsets without records', () => {
    const tail = new TailBuffer({ retainMs: 60_000, maxBytes: 1 << 20 });
    tail.start(0, 5, 0);
    tail.add(0, [record(5, 'a', 1), record(6, 'a', 2)], 7, 10);
    tail.add(0, [record(5, 'a', 1), record(6, 'a', 2), record(7, 'a', 3)], 9, 10);
    expect(tail.read(0, 'a', 0, 100).map((r) => r.offset)).toEqual([5, 6, 7]);
    expect(tail.position(0)).toBe(9);
  });

  it('drops records older than it retains and no longer covers their time; a restart forgets the partition', () => {
    const tail = new TailBuffer({ retainMs: 1_000, maxBytes: 1 << 20 });
    tail.start(0, 0, 0);
    tail.add(0, [record(0, 'a', 100), record(1, 'a', 600), record(2, 'a', 1_500)], 3, 1_200);
    expect(tail.covers(0, 100)).toBe(false);
    expect(tail.covers(0, 101)).toBe(true);
    expect(tail.read(0, 'a', 101, 3).map((r) => r.offset)).toEqual([1, 2]);
    const before = tail.size;
    tail.start(0, 3, 2_000);
    expect(before).toBe(2 * (2 + 1 + 48));
    expect(tail.size).toBe(0);
    expect(tail.read(0, 'a', 2_000, 10)).toEqual([]);
  });

  it('holds at most maxBytes, dropping the oldest stamps of all partitions first', () => {
    const each = 'v0'.length + 'a'.length + 48;
    const tail = new TailBuffer({ retainMs: 60_000, maxBytes: 3 * each });
    tail.start(0, 0, 0);
    tail.start(1, 0, 0);
    tail.add(0, [record(0, 'a', 10), record(1, 'a', 30)], 2, 100);
    tail.add(1, [record(0, 'a', 20), record(1, 'a', 40)], 2, 100);
    expect(tail.size).toBe(3 * each);
    expect(tail.covers(0, 10)).toBe(false);
    expect(tail.covers(0, 11)).toBe(true);
    expect(tail.covers(1, 0)).toBe(true);
  });

  it('answers what a read from Kafka answers whenever it says it covers the bound (any stamps, trims and batches)', () => {
    const arbRecord = fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      // Mostly rising stamps, some from clocks behind.
      step: fc.integer({ min: -300, max: 400 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbRecord, { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 0, max: 119 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 200, max: 5_000 }),
        fc.integer({ min: 200, max: 4_000 }),
        fc.array(fc.integer({ min: -1_000, max: 20_000 }), { minLength: 1, maxLength: 10 }),
        (arbs, startAt, batchSizes, retainMs, maxBytes, bounds) => {
          let at = 1_000;
          const log = arbs.map(({ key, step }, offset) => record(offset, key, (at += step)));
          // Started as a join does: at the offset Kafka finds for a time (the stamp of some record).
          const coversFromMs = log[Math.min(startAt, log.length - 1)].timestamp;
          const from = log.findIndex((r) => r.timestamp >= coversFromMs);
          const tail = new TailBuffer({ retainMs, maxBytes });
          tail.start(0, from, coversFromMs);
          let next = from;
          for (let i = 0; next < log.length; i++) {
            const size = batchSizes[i % batchSizes.length];
            const batch = log.slice(next, next + size);
            next += batch.length;
            tail.add(0, batch, next, Math.max(...batch.map((r) => r.timestamp)));
            for (const sinceMs of bounds) {
              if (!tail.covers(0, sinceMs)) continue;
              for (const key of ['a', 'b', 'c']) {
                expect(tail.read(0, key, sinceMs, next)).toEqual(
                  fromKafka(log.slice(0, next), key, sinceMs, next),
                );
              }
            }
          }
          expect(tail.size).toBeLessThanOrEqual(maxBytes);
        },
      ),
    );
  });
});
