import fc from 'fast-check';
import { createCloudEvent } from '../cloud-event';
import { BusClosedError, BusTimeoutError } from '../errors';
import type { CloudEvent } from '../event-bus';
import { partitionForKey } from '../partitioner';
import type { BusLog } from './kafka-config';
import {
  ReadRounds,
  SINCE_LOOKUP_STEP_MS,
  type PartitionBounds,
  type ReadRange,
  type ReadRecord,
  type ReadRoundsIO,
} from './read-rounds';

const PARTITIONS = 3;

const event = (key: string, tick: number): CloudEvent =>
  createCloudEvent({
    type: 'dev.anvil.test.rounds.v1',
    source: '/anvil/test',
    subject: key,
    tick,
    data: { tick },
    id: `${key}/${tick}`,
  });

/** Keys on every partition: two per partition. */
const keys = (() => {
  const found: string[] = [];
  const perPartition = new Map<number, number>();
  for (let i = 0; found.length < 2 * PARTITIONS; i++) {
    const key = `world-${i}`;
    const p = partitionForKey(key, PARTITIONS);
    if ((perPartition.get(p) ?? 0) >= 2) continue;
    perPartition.set(p, (perPartition.get(p) ?? 0) + 1);
    found.push(key);
  }
  return found;
})();

/** An in-memory topic behind `ReadRoundsIO`; reads can be held until released. */
class FakeIO implements ReadRoundsIO {
  logs: Array<Array<{ key: string; value: string; timestamp: number }>> | undefined = Array.from(
    { length: PARTITIONS },
    () => [],
  );
  /** offsetsAt calls: [sinceMs, partitions]. */
  lookups: Array<[number, number[]]> = [];
  lookupError: Error | undefined;
  /** Offsets below this are gone (retention). */
  low = 0;
  reads: ReadRange[][] = [];
  aborted = 0;
  closed = false;
  hold = false;
  prepareError: Error | undefined;
  readError: Error | undefined;
  /** Turns of the event loop each bounds lookup and read takes (the broker's round trips). */
  latency: () => number = () => 0;
  private held: Array<() => void> = [];

  publish(
    key: string,
    tick: number,
    partition = partitionForKey(key, PARTITIONS),
    timestamp = tick * 1_000,
  ): void {
    this.logs![partition].push({ key, value: JSON.stringify(event(key, tick)), timestamp });
  }

  raw(key: string, value: string, timestamp = 0): void {
    this.logs![partitionForKey(key, PARTITIONS)].push({ key, value, timestamp });
  }

  release(): void {
    this.held.splice(0).forEach((go) => go());
  }

  holdPrepare = false;
  private prepared: Array<() => void> = [];

  releasePrepare(): void {
    this.holdPrepare = false;
    this.prepared.splice(0).forEach((go) => go());
  }

  async prepare(): Promise<void> {
    if (this.holdPrepare) await new Promise<void>((resolve) => this.prepared.push(resolve));
    if (this.prepareError) throw this.prepareError;
  }

  async bounds(): Promise<PartitionBounds[] | undefined> {
    await turns(this.latency());
    return this.logs?.map((log, partition) => ({
      partition,
      low: Math.min(this.low, log.length),
      high: log.length,
    }));
  }

  /** As Kafka: the first offset (still kept) stamped at or after `sinceMs`, else the end. */
  async offsetsAt(sinceMs: number, partitions: readonly number[]): Promise<Map<number, number>> {
    this.lookups.push([sinceMs, [...partitions]]);
    if (this.lookupError) throw this.lookupError;
    return new Map(
      partitions.map((partition) => {
        const log = this.logs![partition];
        const first = log.findIndex((r, offset) => offset >= this.low && r.timestamp >= sinceMs);
        return [partition, first < 0 ? log.length : first];
      }),
    );
  }

  async read(
    ranges: readonly ReadRange[],
    onRecord: (record: ReadRecord) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.reads.push([...ranges]);
    await turns(this.latency());
    if (this.hold) {
      await new Promise<void>((resolve, reject) => {
        this.held.push(resolve);
        signal.addEventListener('abort', () => {
          this.aborted++;
          reject(new Error('abandoned'));
        });
      });
    }
    if (this.readError) throw this.readError;
    for (const { partition, from, to } of ranges) {
      // Delivered from the log as it is now: records after `to` must not be given out.
      const log = this.logs![partition];
      for (let offset = from; offset < log.length; offset++) {
        if (offset >= to) break;
        onRecord({
          partition,
          offset: String(offset),
          key: log[offset].key,
          value: log[offset].value,
          timestamp: log[offset].timestamp,
        });
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.release();
  }
}

function rounds(io: FakeIO, timeoutMs = 5_000) {
  const lines: string[] = [];
  const log: BusLog = (level, message, extra) =>
    lines.push(`${level}: ${message} ${JSON.stringify(extra)}`);
  return { rounds: new ReadRounds('t', () => io, { timeoutMs, log }), lines };
}

const ticks = (events: CloudEvent[]) => events.map((e) => `${e.subject}/${e.tick}`);
const turn = () => new Promise((resolve) => setImmediate(resolve));
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

describe('ReadRounds', () => {
  it('answers calls made together from one read of the partitions their keys need, each its own key in order', async () => {
    const io = new FakeIO();
    for (let tick = 0; tick < 3; tick++) keys.forEach((key) => io.publish(key, tick));
    const { rounds: r } = rounds(io);
    const wanted = [keys[0], keys[1], keys[2], keys[0]];
    const got = await Promise.all(wanted.map((key) => r.read(key)));
    expect(got.map(ticks)).toEqual(wanted.map((key) => [0, 1, 2].map((t) => `${key}/${t}`)));
    expect(got[0]).not.toBe(got[3]);
    const needed = [...new Set(wanted.map((key) => partitionForKey(key, PARTITIONS)))].sort();
    expect(io.reads).toEqual([
      needed.map((partition) => ({ partition, from: 0, to: io.logs![partition].length })),
    ]);
  });

  it('puts calls made while a round reads into the next round, which sees what was published before them', async () => {
    const io = new FakeIO();
    io.publish(keys[0], 0);
    io.publish(keys[1], 0);
    io.hold = true;
    const { rounds: r } = rounds(io);
    const first = r.read(keys[0]);
    await turn();
    expect(io.reads).toHaveLength(1);
    io.publish(keys[0], 1);
    io.publish(keys[1], 1);
    const second = [r.read(keys[0]), r.read(keys[1])];
    await turn();
    expect(io.reads).toHaveLength(1);
    io.hold = false;
    io.release();
    expect(ticks(await first)).toEqual([`${keys[0]}/0`]);
    expect((await Promise.all(second)).map(ticks)).toEqual([
      [`${keys[0]}/0`, `${keys[0]}/1`],
      [`${keys[1]}/0`, `${keys[1]}/1`],
    ]);
    expect(io.reads).toHaveLength(2);
  });

  it('answers every call with its key’s records since its bound, all those published before it, in order (property, one or two lanes)', async () => {
    type Step =
      | { kind: 'publish'; key: number }
      | { kind: 'read'; key: number; since: number | undefined }
      | { kind: 'wait'; turns: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('publish' as const), key: fc.nat(keys.length - 1) }),
      fc.record({
        kind: fc.constant('read' as const),
        key: fc.nat(keys.length - 1),
        since: fc.option(fc.nat(40), { nil: undefined }),
      }),
      fc.record({ kind: fc.constant('wait' as const), turns: fc.nat(4) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.constantFrom(1, 2),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 8 }),
        async (steps, lanes, latencies) => {
          const ios = [new FakeIO(), new FakeIO()];
          ios[1].logs = ios[0].logs;
          let next = 0;
          for (const io of ios) io.latency = () => latencies[next++ % latencies.length];
          let made = 0;
          const r = new ReadRounds('t', () => ios[made++], {
            timeoutMs: 60_000,
            log: () => undefined,
            lanes,
          });
          /** Per key, its ticks in publish order (`publish` stamps tick t at t * 1000 ms). */
          const published = keys.map(() => [] as number[]);
          let tick = 0;
          const calls: Array<{
            key: number;
            since?: number;
            before: number[];
            answer: Promise<CloudEvent[]>;
          }> = [];
          for (const s of steps) {
            if (s.kind === 'publish') {
              ios[0].publish(keys[s.key], tick);
              published[s.key].push(tick++);
            } else if (s.kind === 'read') {
              const sinceMs = s.since === undefined ? undefined : s.since * 1_000;
              calls.push({
                key: s.key,
                since: sinceMs,
                before: [...published[s.key]],
                answer: r.read(keys[s.key], sinceMs),
              });
            } else await turns(s.turns);
          }
          for (const call of calls) {
            const got = (await call.answer).map((e) => e.tick);
            const all = published[call.key];
            // A contiguous, ordered run of the key's records (from some point to some later end)…
            const start = got.length === 0 ? 0 : all.indexOf(got[0]);
            expect(got).toEqual(all.slice(start, start + got.length));
            // …holding every one published before the call that is stamped at or after its bound.
            const wanted = call.before.filter(
              (t) => call.since === undefined || t * 1_000 >= call.since,
            );
            for (const t of wanted) expect(got).toContain(t);
          }
          await r.close();
        },
      ),
      { numRuns: 2_000 },
    );
  });

  describe('with two lanes', () => {
    /** Two readers of one topic (their logs are the same), made as the rounds ask. */
    function twoLanes() {
      const ios = [new FakeIO(), new FakeIO()];
      ios[1].logs = ios[0].logs;
      let made = 0;
      const r = new ReadRounds('t', () => ios[made++], {
        timeoutMs: 5_000,
        log: () => undefined,
        lanes: 2,
      });
      return { ios, r, made: () => made };
    }

    it('starts a call made while a round reads at once, on the second lane; a third waits for a lane', async () => {
      const { ios, r, made } = twoLanes();
      const [a, b] = ios;
      a.publish(keys[0], 0);
      a.hold = true;
      b.hold = true;
      const first = r.read(keys[0]);
      await turn();
      expect(made()).toBe(1); // the second reader only when needed
      a.publish(keys[0], 1);
      const second = r.read(keys[0]);
      await turn();
      expect([a.reads.length, b.reads.length]).toEqual([1, 1]);
      a.publish(keys[0], 2);
      const third = r.read(keys[0]);
      await turn();
      expect([a.reads.length, b.reads.length, made()]).toEqual([1, 1, 2]);
      // The second answers first, without the first round; the third then takes the free lane.
      b.hold = false;
      b.release();
      expect(ticks(await second)).toEqual([0, 1].map((t) => `${keys[0]}/${t}`));
      expect(ticks(await third)).toEqual([0, 1, 2].map((t) => `${keys[0]}/${t}`));
      expect(b.reads).toHaveLength(2);
      a.hold = false;
      a.release();
      expect(ticks(await first)).toEqual([`${keys[0]}/0`]);
    });

    it('closes both readers and rejects the calls of both rounds', async () => {
      const { ios, r } = twoLanes();
      ios.forEach((io) => (io.hold = true));
      keys.forEach((key) => ios[0].publish(key, 0));
      const first = r.read(keys[0]);
      await turn();
      const second = r.read(keys[1]);
      await turn();
      const waiting = r.read(keys[2]);
      const refused = [first, second, waiting].map((call) =>
        expect(call).rejects.toBeInstanceOf(BusClosedError),
      );
      await r.close();
      await Promise.all(refused);
      expect(ios.map((io) => io.closed)).toEqual([true, true]);
    });
  });

  it('answers [] without reading when there is no topic or the key’s partition is empty', async () => {
    const io = new FakeIO();
    const { rounds: r } = rounds(io);
    const emptyPartitionKey = keys.find(
      (key) => partitionForKey(key, PARTITIONS) !== partitionForKey(keys[0], PARTITIONS),
    )!;
    io.publish(keys[0], 0);
    expect(await r.read(emptyPartitionKey)).toEqual([]);
    io.logs = undefined;
    expect(await r.read(keys[0])).toEqual([]);
    expect(io.reads).toEqual([]);
  });

  it('reads from the start the partition has now', async () => {
    const io = new FakeIO();
    for (let tick = 0; tick < 4; tick++) io.publish(keys[0], tick);
    io.low = 2;
    const { rounds: r } = rounds(io);
    expect(ticks(await r.read(keys[0]))).toEqual([`${keys[0]}/2`, `${keys[0]}/3`]);
  });

  it('skips records of other keys, of its key on another partition, and that are not events (logged)', async () => {
    const io = new FakeIO();
    const { rounds: r, lines } = rounds(io);
    const p = partitionForKey(keys[0], PARTITIONS);
    io.publish(keys[0], 0);
    io.raw(keys[0], '{"not":"an event"}');
    io.publish(keys[0], 1, (p + 1) % PARTITIONS);
    io.publish(keys[1], 0);
    io.publish(keys[0], 2);
    expect(ticks(await r.read(keys[0]))).toEqual([`${keys[0]}/0`, `${keys[0]}/2`]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: skipped a record that is not a valid event .*"offset":"1"/);
  });

  it('rejects a call after timeoutMs, abandons the read nobody waits for, and reads again for the next call', async () => {
    const io = new FakeIO();
    io.publish(keys[0], 0);
    io.hold = true;
    const { rounds: r } = rounds(io, 50);
    await expect(r.read(keys[0])).rejects.toBeInstanceOf(BusTimeoutError);
    await turn();
    expect(io.aborted).toBe(1);
    io.hold = false;
    expect(ticks(await r.read(keys[0]))).toEqual([`${keys[0]}/0`]);
    expect(io.reads).toHaveLength(2);
  });

  it('keeps reading for the calls of a round that have not timed out', async () => {
    const io = new FakeIO();
    io.publish(keys[0], 0);
    io.holdPrepare = true;
    io.hold = true;
    const { rounds: r } = rounds(io, 150);
    const early = r.read(keys[0]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const late = r.read(keys[1]); // joins the round: it is still getting ready
    io.releasePrepare();
    await expect(early).rejects.toBeInstanceOf(BusTimeoutError);
    expect(io.aborted).toBe(0);
    io.hold = false;
    io.release();
    expect(await late).toEqual([]);
    expect(io.reads).toHaveLength(1);
  });

  it('rejects the calls of a round whose read failed, and the next round reads again', async () => {
    const io = new FakeIO();
    io.publish(keys[0], 0);
    io.readError = new Error('broker gone');
    const { rounds: r } = rounds(io);
    await expect(Promise.all([r.read(keys[0]), r.read(keys[1])])).rejects.toThrow('broker gone');
    io.readError = undefined;
    expect(ticks(await r.read(keys[0]))).toEqual([`${keys[0]}/0`]);
  });

  it('rejects the waiting calls when the IO cannot get ready', async () => {
    const io = new FakeIO();
    io.prepareError = new Error('no broker');
    const { rounds: r } = rounds(io);
    await expect(r.read(keys[0])).rejects.toThrow('no broker');
    io.prepareError = undefined;
    expect(await r.read(keys[0])).toEqual([]);
  });

  describe('with a lower bound (sinceMs)', () => {
    /** Two keys of one partition, and a key of another. */
    const [a, b] = keys.filter(
      (key) => partitionForKey(key, PARTITIONS) === partitionForKey(keys[0], PARTITIONS),
    );
    const other = keys.find(
      (key) => partitionForKey(key, PARTITIONS) !== partitionForKey(a, PARTITIONS),
    )!;
    const [pa, pOther] = [a, other].map((key) => partitionForKey(key, PARTITIONS));
    const STEP = SINCE_LOOKUP_STEP_MS;

    /** a and b alternate, one record every STEP / 2 ms: a at 0, STEP, 2 STEP…; b in between. */
    function interleaved(io: FakeIO, records = 10) {
      for (let i = 0; i < records; i++) {
        const key = i % 2 === 0 ? a : b;
        io.publish(key, i, pa, (i * STEP) / 2);
      }
    }

    it('reads a partition once, from the offset of the earliest bound asked of it (rounded down), and gives each call its key from its own bound', async () => {
      const io = new FakeIO();
      interleaved(io);
      io.publish(other, 0, pOther, 0);
      io.publish(other, 1, pOther, 3 * STEP);
      const { rounds: r } = rounds(io);
      const [fromA, fromB, fromOther] = await Promise.all([
        r.read(a, 3 * STEP + 1), // a at 4 STEP and on
        r.read(b, 2.5 * STEP), // b at 2.5 STEP and on
        r.read(other, 2 * STEP + 300),
      ]);
      expect(ticks(fromA)).toEqual([8].map((t) => `${a}/${t}`));
      expect(ticks(fromB)).toEqual([5, 7, 9].map((t) => `${b}/${t}`));
      expect(ticks(fromOther)).toEqual([`${other}/1`]);
      // One lookup per rounded bound: 2 STEP for a's partition (b's) and for the other's.
      expect(io.lookups).toEqual([[2 * STEP, [pa, pOther]]]);
      expect(io.reads).toEqual([
        [
          { partition: pa, from: 4, to: 10 },
          { partition: pOther, from: 1, to: 2 },
        ].sort((x, y) => x.partition - y.partition),
      ]);
    });

    it('reads a partition from its start when a call of the round has no bound; the bounded call still starts at its own', async () => {
      const io = new FakeIO();
      interleaved(io, 6);
      const { rounds: r } = rounds(io);
      const [all, recent] = await Promise.all([r.read(a), r.read(a, 2 * STEP)]);
      expect(ticks(all)).toEqual([0, 2, 4].map((t) => `${a}/${t}`));
      expect(ticks(recent)).toEqual([`${a}/4`]);
      expect(io.lookups).toEqual([]);
      expect(io.reads).toEqual([[{ partition: pa, from: 0, to: 6 }]]);
    });

    it('answers [] without reading when every record is older than the bound', async () => {
      const io = new FakeIO();
      interleaved(io, 4);
      const { rounds: r } = rounds(io);
      expect(await r.read(a, 100 * STEP)).toEqual([]);
      expect(io.lookups).toHaveLength(1);
      expect(io.reads).toEqual([]);
    });

    it('keeps an older record that comes after a recent one (the answer is the rest of the partition)', async () => {
      const io = new FakeIO();
      // A producer whose clock is behind: tick 2 is stamped before tick 1.
      for (const [tick, at] of [
        [0, 0],
        [1, 5 * STEP],
        [2, STEP],
        [3, 6 * STEP],
      ])
        io.publish(a, tick, pa, at);
      const { rounds: r } = rounds(io);
      expect(ticks(await r.read(a, 4 * STEP))).toEqual([1, 2, 3].map((t) => `${a}/${t}`));
    });

    it('reads from the partition’s start (logged) when the lookup fails, and from its kept start when the offset found is gone', async () => {
      const io = new FakeIO();
      interleaved(io, 6);
      io.lookupError = new Error('no leader');
      const { rounds: r, lines } = rounds(io);
      expect(ticks(await r.read(a, 2 * STEP))).toEqual([`${a}/4`]);
      expect(io.reads).toEqual([[{ partition: pa, from: 0, to: 6 }]]);
      expect(lines).toEqual([
        expect.stringMatching(/^warn: could not look up offsets by time; .*no leader/),
      ]);
      io.lookupError = undefined;
      io.low = 3;
      jest.spyOn(io, 'offsetsAt').mockResolvedValue(new Map([[pa, 1]]));
      expect(ticks(await r.read(b, 0.5 * STEP))).toEqual([3, 5].map((t) => `${b}/${t}`));
      expect(io.reads[1]).toEqual([{ partition: pa, from: 3, to: 6 }]);
    });
  });

  it('close rejects the calls not answered yet, closes the IO and refuses new calls', async () => {
    const io = new FakeIO();
    io.publish(keys[0], 0);
    io.hold = true;
    const { rounds: r } = rounds(io);
    const reading = r.read(keys[0]);
    await turn();
    const next = r.read(keys[1]);
    const closing = r.close();
    await expect(reading).rejects.toBeInstanceOf(BusClosedError);
    await expect(next).rejects.toBeInstanceOf(BusClosedError);
    await closing;
    await expect(r.read(keys[0])).rejects.toBeInstanceOf(BusClosedError);
    expect(io.closed).toBe(true);
    expect(io.reads).toHaveLength(1);
  });
});
