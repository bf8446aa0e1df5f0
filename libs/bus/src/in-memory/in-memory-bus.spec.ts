import fc from 'fast-check';

import { BusClosedError, InvalidBusArgumentError, InvalidEventError } from '../errors';
import type { BusMessage } from '../event-bus';
import { partitionForKey } from '../partitioner';
import { describeBusContract, testEvent, waitFor } from '../testing/bus-contract';
import { InMemoryBroker } from './broker';
import { InMemoryBus } from './in-memory-bus';

describeBusContract('InMemoryBus', () => {
  const broker = new InMemoryBroker(4);
  return {
    createBus: () => new InMemoryBus({ broker, redeliveryDelayMs: 5 }),
    partitions: 4,
    timeoutMs: 5_000,
  };
});

describe('InMemoryBus', () => {
  let bus: InMemoryBus;
  beforeEach(() => (bus = new InMemoryBus({ partitions: 3, redeliveryDelayMs: 1 })));
  afterEach(() => bus.close());

  it('puts a key on the partition Kafka would pick', async () => {
    const got: BusMessage[] = [];
    await bus.subscribe({ topic: 't', group: 'g' }, async (m) => void got.push(m));
    await bus.publish('t', 'world-1', [testEvent('world-1', 0), testEvent('world-1', 1)]);
    await waitFor(() => got.length === 2, 1_000, 'two messages');
    expect(got.map((m) => [m.partition, m.offset])).toEqual([
      [partitionForKey('world-1', 3), '0'],
      [partitionForKey('world-1', 3), '1'],
    ]);
    expect(bus.broker.endOffsets('t')[partitionForKey('world-1', 3)]).toBe(2);
  });

  it('starts a new group at the end unless fromBeginning', async () => {
    await bus.publish('t', 'w', [testEvent('w', 0)]);
    const latest: number[] = [];
    const earliest: number[] = [];
    await bus.subscribe({ topic: 't', group: 'late' }, async (m) => void latest.push(m.event.tick));
    await bus.subscribe(
      { topic: 't', group: 'early', fromBeginning: true },
      async (m) => void earliest.push(m.event.tick),
    );
    await bus.publish('t', 'w', [testEvent('w', 1)]);
    await waitFor(() => latest.length === 1 && earliest.length === 2, 1_000, 'both groups');
    expect(latest).toEqual([1]);
    expect(earliest).toEqual([0, 1]);
  });

  it('drops the oldest records past retention; a group behind the log start resumes at the oldest kept', async () => {
    const small = new InMemoryBus({ partitions: 1, retentionRecords: 10 });
    const events = Array.from({ length: 25 }, (_, tick) => testEvent('w', tick));
    await small.publish('t', 'w', events);
    expect(small.broker.endOffsets('t')).toEqual([25]);
    const ticks: number[] = [];
    await small.subscribe(
      { topic: 't', group: 'g', fromBeginning: true },
      async (m) => void ticks.push(m.event.tick),
    );
    await waitFor(() => ticks.at(-1) === 24, 1_000, 'the last record');
    expect(ticks.length).toBeGreaterThanOrEqual(10);
    expect(ticks.length).toBeLessThan(25);
    expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => 25 - ticks.length + i));
    await small.close();
    expect(() => new InMemoryBroker(1, 0)).toThrow(InvalidBusArgumentError);
  });

  it('commits per group only after the handler resolved', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const p = partitionForKey('w', 3);
    await bus.subscribe({ topic: 't', group: 'g', fromBeginning: true }, () => gate);
    await bus.publish('t', 'w', [testEvent('w', 0)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bus.broker.committedOffsets('g', 't')![p]).toBe(0);
    release();
    await waitFor(() => bus.broker.committedOffsets('g', 't')![p] === 1, 1_000, 'the commit');
    expect(bus.broker.committedOffsets('other', 't')).toBeUndefined();
  });

  it('reports each failure and backs off before redelivering', async () => {
    const errors: Array<[string, number]> = [];
    const slow = new InMemoryBus({
      redeliveryDelayMs: 30,
      onHandlerError: (error, message, attempt) =>
        errors.push([`${(error as Error).message}@${message.offset}`, attempt]),
    });
    const times: number[] = [];
    await slow.subscribe({ topic: 't', group: 'g' }, async () => {
      times.push(Date.now());
      if (times.length < 3) throw new Error('boom');
    });
    await slow.publish('t', 'w', [testEvent('w', 0)]);
    await waitFor(() => times.length === 3, 2_000, 'three attempts');
    await slow.close();
    expect(errors).toEqual([
      ['boom@0', 1],
      ['boom@0', 2],
    ]);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(25);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(55);
  });

  it('closes a subscription after its in-flight handler finished, and stops delivering', async () => {
    let finished = false;
    const ticks: number[] = [];
    const subscription = await bus.subscribe({ topic: 't', group: 'g' }, async (m) => {
      ticks.push(m.event.tick);
      await new Promise((resolve) => setTimeout(resolve, 30));
      finished = true;
    });
    await bus.publish('t', 'w', [testEvent('w', 0)]);
    await waitFor(() => ticks.length === 1, 1_000, 'the first delivery');
    await subscription.close();
    expect(finished).toBe(true);
    await bus.publish('t', 'w', [testEvent('w', 1)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ticks).toEqual([0]);
  });

  it('does not wait out a redelivery delay when closing', async () => {
    const slow = new InMemoryBus({ redeliveryDelayMs: 60_000 });
    let attempts = 0;
    await slow.subscribe({ topic: 't', group: 'g' }, async () => {
      attempts += 1;
      throw new Error('always');
    });
    await slow.publish('t', 'w', [testEvent('w', 0)]);
    await waitFor(() => attempts === 1, 1_000, 'one attempt');
    const started = Date.now();
    await slow.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reads a key back from a time: from its first record appended at or after then', async () => {
    const now = jest.spyOn(Date, 'now');
    try {
      const at = async (ms: number, key: string, tick: number) => {
        now.mockReturnValue(ms);
        await bus.publish('t', key, [testEvent(key, tick)]);
      };
      await at(1_000, 'w', 0);
      await at(2_000, 'w', 1);
      await at(2_500, 'v', 0);
      await at(1_500, 'w', 2); // a clock that went back: kept, it comes after a recent record
      await at(3_000, 'w', 3);
      const ticks = async (sinceMs?: number) =>
        (await bus.readKey('t', 'w', { sinceMs })).map((e) => e.tick);
      expect(await ticks(2_000)).toEqual([1, 2, 3]);
      expect(await ticks(2_001)).toEqual([3]);
      expect(await ticks(3_001)).toEqual([]);
      expect(await ticks(0)).toEqual([0, 1, 2, 3]);
      expect(await ticks(-1)).toEqual([0, 1, 2, 3]);
      expect(await ticks()).toEqual([0, 1, 2, 3]);
    } finally {
      now.mockRestore();
    }
  });

  it('refuses bad arguments and a closed bus with named errors', async () => {
    await expect(bus.publish('t', '', [testEvent('w', 0)])).rejects.toBeInstanceOf(
      InvalidBusArgumentError,
    );
    await expect(bus.publish('bad topic', 'w', [])).rejects.toThrow(/invalid topic name/);
    await expect(bus.publish('t', 'w', [{ ...testEvent('w', 0), tick: -1 }])).rejects.toThrow(
      'events[0]: tick must be a non-negative integer, got number -1',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(
      bus.publish('t', 'w', [{ ...testEvent('w', 0), data: cyclic as never }]),
    ).rejects.toBeInstanceOf(InvalidEventError);
    await expect(
      bus.subscribe({ topic: 't', group: '' }, async () => undefined),
    ).rejects.toBeInstanceOf(InvalidBusArgumentError);
    await bus.close();
    await expect(bus.subscribe({ topic: 't', group: 'g' }, async () => undefined)).rejects.toThrow(
      BusClosedError,
    );
    expect(() => new InMemoryBroker(0)).toThrow(InvalidBusArgumentError);
  });

  it('keeps per-key order under random interleavings, failures and member changes', async () => {
    const plan = fc.record({
      publishes: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 3 })),
        { maxLength: 40 },
      ),
      failEvery: fc.integer({ min: 2, max: 7 }),
      members: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(plan, async ({ publishes, failEvery, members }) => {
        const local = new InMemoryBus({ partitions: 4, redeliveryDelayMs: 0 });
        const handled = new Map<string, number[]>();
        let calls = 0;
        const handler = async (m: BusMessage) => {
          if (++calls % failEvery === 0) throw new Error('flaky');
          handled.set(m.key, [...(handled.get(m.key) ?? []), m.event.tick]);
        };
        for (let i = 0; i < members; i++)
          await local.subscribe({ topic: 't', group: 'g' }, handler);
        const next = new Map<string, number>();
        const expected = new Map<string, number[]>();
        await Promise.all(
          publishes.map(([world, count]) => {
            const key = `w${world}`;
            const first = next.get(key) ?? 0;
            const ticks = Array.from({ length: count }, (_, i) => first + i);
            next.set(key, first + count);
            expected.set(key, [...(expected.get(key) ?? []), ...ticks]);
            return local.publish(
              't',
              key,
              ticks.map((t) => testEvent(key, t)),
            );
          }),
        );
        const total = publishes.reduce((sum, [, count]) => sum + count, 0);
        await waitFor(
          () => [...handled.values()].flat().length === total,
          2_000,
          `${total} handled`,
        );
        await local.close();
        expect(handled).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});
