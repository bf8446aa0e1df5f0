// The behaviour every EventBus must have, as Jest tests: run by in-memory-bus.spec.ts against
// InMemoryBus and by kafka/kafka-bus.int.spec.ts against a real Kafka broker.
import { randomUUID } from 'node:crypto';

import { BusClosedError, InvalidBusArgumentError } from '../errors';
import { createCloudEvent } from '../cloud-event';
import { partitionForKey } from '../partitioner';
import type { BusMessage, CloudEvent, EventBus, Subscription } from '../event-bus';

/** How the contract gets buses; every bus from one harness talks to the same broker. */
export interface BusContractHarness {
  /** A new client of the shared broker (a restarted process is a new client). */
  createBus(): EventBus;
  /** Partitions of the topics the buses create (to pick keys on different partitions). */
  partitions: number;
  /** How long to wait for deliveries (default 20 s). */
  timeoutMs?: number;
}

/** Polls `predicate` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A test event of world `world` at `tick`. */
export function testEvent(world: string, tick: number): CloudEvent<{ n: number }> {
  return createCloudEvent({
    type: 'dev.anvil.test.contract.v1',
    source: '/anvil/bus-contract',
    subject: world,
    tick,
    data: { n: tick },
    id: `${world}/${tick}`,
  });
}

const unique = (prefix: string) => `${prefix}.${randomUUID().slice(0, 8)}`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A handler that records what it handled, by key. */
function recorder() {
  const messages: BusMessage[] = [];
  const ticksByKey = new Map<string, number[]>();
  const handle = async (message: BusMessage) => {
    messages.push(message);
    ticksByKey.set(message.key, [...(ticksByKey.get(message.key) ?? []), message.event.tick]);
  };
  return { messages, ticksByKey, handle, ids: () => new Set(messages.map((m) => m.event.id)) };
}

/** Registers the EventBus contract tests under `describe(name)`. */
export function describeBusContract(name: string, makeHarness: () => BusContractHarness): void {
  describe(`${name} (EventBus contract)`, () => {
    let harness: BusContractHarness;
    let timeout: number;
    let buses: EventBus[];
    const newBus = () => {
      const bus = harness.createBus();
      buses.push(bus);
      return bus;
    };

    beforeEach(() => {
      harness = makeHarness();
      timeout = harness.timeoutMs ?? 20_000;
      buses = [];
    });
    afterEach(async () => {
      await Promise.all(buses.map((bus) => bus.close()));
    });

    it('delivers published events with topic, key and the event unchanged', async () => {
      const bus = newBus();
      const topic = unique('contract.roundtrip');
      const got = recorder();
      await bus.subscribe({ topic, group: unique('g'), fromBeginning: true }, got.handle);
      const events = range(3).map((tick) => testEvent('world-a', tick));
      await bus.publish(topic, 'world-a', events);
      await waitFor(() => got.messages.length >= 3, timeout, '3 messages');
      expect(got.messages.map((m) => m.event)).toEqual(events);
      expect(got.messages.every((m) => m.topic === topic && m.key === 'world-a')).toBe(true);
      expect(got.messages.map((m) => typeof m.partition)).toEqual(['number', 'number', 'number']);
    });

    it('reads one key back from the start of its partition, in order, without other keys', async () => {
      const bus = newBus();
      if (!bus.readKey) return;
      const topic = unique('contract.readkey');
      expect(await bus.readKey(topic, 'world-a')).toEqual([]);
      const events = range(5).map((tick) => testEvent('world-a', tick));
      const others = range(5).map((tick) => testEvent('world-b', tick));
      for (const tick of range(5)) {
        await bus.publish(topic, 'world-a', [events[tick]]);
        await bus.publish(topic, 'world-b', [others[tick]]);
      }
      expect(await bus.readKey(topic, 'world-a')).toEqual(events);
      // A new client reads the same (a restarted process).
      expect(await newBus().readKey!(topic, 'world-b')).toEqual(others);
    });

    it('reads one key back from a time: every event since then, after the key’s older ones from some point on', async () => {
      const bus = newBus();
      if (!bus.readKey) return;
      const topic = unique('contract.readkey.since');
      const older = range(3).map((tick) => testEvent('world-a', tick));
      const recent = range(3).map((tick) => testEvent('world-a', 3 + tick));
      const all = [...older, ...recent];
      await bus.publish(topic, 'world-a', older);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const sinceMs = Date.now();
      await bus.publish(topic, 'world-b', [testEvent('world-b', 0)]);
      await bus.publish(topic, 'world-a', recent);
      const got = await bus.readKey(topic, 'world-a', { sinceMs });
      // The end of the key's events, at least those since `sinceMs`.
      expect(got.length).toBeGreaterThanOrEqual(recent.length);
      expect(got).toEqual(all.slice(all.length - got.length));
      expect(await bus.readKey(topic, 'world-a', { sinceMs: 0 })).toEqual(all);
      expect(await bus.readKey(topic, 'world-a', {})).toEqual(all);
      await expect(bus.readKey(topic, 'world-a', { sinceMs: NaN })).rejects.toBeInstanceOf(
        InvalidBusArgumentError,
      );
    });

    it('keeps each key in call order across partitions when many worlds interleave', async () => {
      const bus = newBus();
      const topic = unique('contract.order');
      const worlds = range(12).map((i) => `world-${i}`);
      const ticks = 40;
      const got = recorder();
      await bus.subscribe({ topic, group: unique('g'), fromBeginning: true }, got.handle);
      // Every call is made before any resolves: order is call order. Single events and pairs alternate.
      const calls: Promise<void>[] = [];
      for (let tick = 0; tick < ticks; tick += 2) {
        for (const w of worlds) {
          if (tick % 4 === 0)
            calls.push(
              bus.publish(topic, w, [testEvent(w, tick)]),
              bus.publish(topic, w, [testEvent(w, tick + 1)]),
            );
          else calls.push(bus.publish(topic, w, [testEvent(w, tick), testEvent(w, tick + 1)]));
        }
      }
      await Promise.all(calls);
      await waitFor(
        () => got.messages.length >= worlds.length * ticks,
        timeout,
        'every tick of every world',
      );
      for (const world of worlds) expect(got.ticksByKey.get(world)).toEqual(range(ticks));
      expect(new Set(got.messages.map((m) => m.partition)).size).toBeGreaterThan(1);
      const partitionOf = new Map(got.messages.map((m) => [m.key, m.partition]));
      expect(got.messages.every((m) => m.partition === partitionOf.get(m.key))).toBe(true);
    });

    it('gives every event to each of two groups', async () => {
      const bus = newBus();
      const topic = unique('contract.groups');
      const [a, b] = [recorder(), recorder()];
      await bus.subscribe({ topic, group: unique('ga'), fromBeginning: true }, a.handle);
      await newBus().subscribe({ topic, group: unique('gb'), fromBeginning: true }, b.handle);
      for (const world of ['w1', 'w2', 'w3'])
        await bus.publish(
          topic,
          world,
          range(5).map((t) => testEvent(world, t)),
        );
      await waitFor(
        () => a.messages.length >= 15 && b.messages.length >= 15,
        timeout,
        '15 messages in each group',
      );
      expect([...a.ids()].sort()).toEqual([...b.ids()].sort());
      expect(a.ids().size).toBe(15);
    });

    it('loses nothing when a consumer stops mid-stream and restarts in the same group', async () => {
      const producer = newBus();
      const topic = unique('contract.restart');
      const group = unique('g');
      const first = recorder();
      const publishRound = (round: number) =>
        Promise.all(
          ['w1', 'w2', 'w3', 'w4'].map((w) =>
            producer.publish(
              topic,
              w,
              range(25).map((t) => testEvent(w, round * 25 + t)),
            ),
          ),
        );
      // A slow handler, so that the stop really lands mid-stream.
      const slowly = async (message: BusMessage) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        await first.handle(message);
      };
      const subscription = await newBus().subscribe({ topic, group, fromBeginning: true }, slowly);
      await publishRound(0);
      await waitFor(() => first.messages.length >= 30, timeout, '30 messages before the stop');
      await subscription.close();
      expect(first.ids().size).toBeLessThan(100);
      await publishRound(1);
      const second = recorder();
      await newBus().subscribe({ topic, group, fromBeginning: true }, second.handle);
      const seen = () => new Set([...first.ids(), ...second.ids()]);
      await waitFor(() => seen().size >= 200, timeout, 'all 200 events after the restart');
      expect(seen().size).toBe(200);
      // At least once: a duplicate is the same event (same id), never a different one.
      expect(first.messages.length + second.messages.length).toBeGreaterThanOrEqual(200);
      for (const ticks of second.ticksByKey.values())
        expect([...ticks].sort((x, y) => x - y)).toEqual(ticks);
      expect(second.ticksByKey.size).toBeGreaterThan(0);
    });

    it('redelivers a message whose handler failed, keeping the key in order', async () => {
      const bus = newBus();
      const topic = unique('contract.retry');
      let failures = 0;
      const attempts = new Map<string, number>();
      const handled: number[] = [];
      await bus.subscribe({ topic, group: unique('g'), fromBeginning: true }, async (message) => {
        const id = message.event.id;
        attempts.set(id, (attempts.get(id) ?? 0) + 1);
        if (message.event.tick === 3 && attempts.get(id)! <= 2) {
          failures += 1;
          throw new Error('handler failed on purpose');
        }
        handled.push(message.event.tick);
      });
      await bus.publish(
        topic,
        'world-r',
        range(10).map((t) => testEvent('world-r', t)),
      );
      await waitFor(() => handled.length >= 10, timeout, '10 handled messages');
      expect(failures).toBe(2);
      expect(attempts.get('world-r/3')).toBe(3);
      expect(handled).toEqual(range(10));
    });

    it('holds back only the partition of a failing key; the other worlds keep flowing', async () => {
      const bus = newBus();
      const topic = unique('contract.isolation');
      const stuck = 'world-stuck';
      const keys = range(50).map((i) => `world-${i}`);
      const others = keys.filter(
        (k) =>
          partitionForKey(k, harness.partitions) !== partitionForKey(stuck, harness.partitions),
      );
      let healthy = false;
      const handled: string[] = [];
      await bus.subscribe({ topic, group: unique('g'), fromBeginning: true }, async (message) => {
        if (message.key === stuck && !healthy) throw new Error('downstream unavailable');
        handled.push(message.key);
      });
      await bus.publish(topic, stuck, [testEvent(stuck, 0)]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(others.slice(0, 5).map((k) => bus.publish(topic, k, [testEvent(k, 0)])));
      await waitFor(() => handled.length >= 5, timeout, 'the 5 healthy worlds');
      expect(handled).not.toContain(stuck);
      healthy = true;
      await waitFor(() => handled.includes(stuck), timeout, 'the stuck world after recovery');
    });

    it('shares partitions between members of one group, together handling everything', async () => {
      const producer = newBus();
      const topic = unique('contract.members');
      const group = unique('g');
      const [a, b] = [recorder(), recorder()];
      const subs: Subscription[] = [
        await newBus().subscribe({ topic, group, fromBeginning: true }, a.handle),
        await newBus().subscribe({ topic, group, fromBeginning: true }, b.handle),
      ];
      const worlds = range(8).map((i) => `m-${i}`);
      await Promise.all(
        worlds.map((w) =>
          producer.publish(
            topic,
            w,
            range(10).map((t) => testEvent(w, t)),
          ),
        ),
      );
      const seen = () => new Set([...a.ids(), ...b.ids()]);
      await waitFor(() => seen().size >= 80, timeout, '80 events across the two members');
      expect(seen().size).toBe(80);
      await Promise.all(subs.map((s) => s.close()));
    });

    it('flushes pending publishes on close, then refuses to publish', async () => {
      const producer = newBus();
      const topic = unique('contract.close');
      const pending = range(20).map((i) =>
        producer.publish(topic, `c-${i % 4}`, [testEvent(`c-${i % 4}`, i)]),
      );
      await producer.close();
      await expect(Promise.all(pending)).resolves.toBeDefined();
      await expect(producer.publish(topic, 'c-0', [testEvent('c-0', 99)])).rejects.toBeInstanceOf(
        BusClosedError,
      );
      const got = recorder();
      await newBus().subscribe({ topic, group: unique('g'), fromBeginning: true }, got.handle);
      await waitFor(
        () => got.messages.length >= 20,
        timeout,
        'the 20 events published before close',
      );
      expect(got.ids().size).toBe(20);
    });
  });
}
