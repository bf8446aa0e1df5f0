// KafkaBus.readKey under concurrency against the real broker of tools/testenv: calls of many
// keys, and of one key, made together and while records are being published, each see at least
// every record acknowledged before they were called, only of their key, in order; with `sinceMs`,
// the records from the first one stamped then or later. Timings are in bench/bus (node
// bench/bus/run.cjs read-key), not asserted here.
import { randomUUID } from 'node:crypto';

import { Kafka, logLevel } from 'kafkajs';

import { BusClosedError } from '../src/errors';
import type { CloudEvent } from '../src/event-bus';
import { KafkaBus, parseBrokers, type KafkaBusConfig } from '../src/kafka/index';
import { partitionForKey } from '../src/partitioner';
import { testEvent } from '../src/testing/bus-contract';

const brokers = parseBrokers(process.env['KAFKA_BROKERS'] ?? '');
const PARTITIONS = 3;
/** Rounds of calls made right after a publish was acknowledged, in the follow test. */
const WAVES = 20;

describe('KafkaBus.readKey, many calls at once', () => {
  const buses: KafkaBus[] = [];
  const newBus = (overrides: Partial<KafkaBusConfig> = {}) => {
    const bus = new KafkaBus({
      brokers,
      clientId: `bus-int-read-${randomUUID().slice(0, 6)}`,
      partitions: PARTITIONS,
      ...overrides,
    });
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('gives every call at least what was acknowledged before it, only its key, in order, while more is published', async () => {
    const writer = newBus();
    const reader = newBus(); // another process: its reader starts with the first calls
    const topic = `bus.int.readkey.${randomUUID().slice(0, 8)}`;
    const keys = Array.from({ length: 12 }, (_, i) => `world-${i}`);
    expect(new Set(keys.map((k) => partitionForKey(k, PARTITIONS))).size).toBe(PARTITIONS);
    const acknowledged = new Map(keys.map((k) => [k, 0]));
    const publishTick = async (tick: number, only = keys) => {
      await Promise.all(only.map((k) => writer.publish(topic, k, [testEvent(k, tick)])));
      for (const k of only) acknowledged.set(k, tick + 1);
    };
    for (let tick = 0; tick < 20; tick++) await publishTick(tick);

    const calls: Array<Promise<{ key: string; before: number; events: CloudEvent[] }>> = [];
    const call = (key: string) => {
      const before = acknowledged.get(key)!;
      calls.push(reader.readKey(topic, key).then((events) => ({ key, before, events })));
    };
    for (let wave = 0; wave < 6; wave++) {
      // Every key, one key five more times, in one turn...
      keys.forEach(call);
      for (let i = 0; i < 5; i++) call(keys[0]);
      // ...then more records (not awaiting the reads) and more calls while rounds run.
      await publishTick(20 + wave);
      call(keys[1]);
      call(keys[0]);
      await new Promise((resolve) => setTimeout(resolve, 5 * wave));
    }
    const results = await Promise.all(calls);
    expect(results).toHaveLength(6 * (keys.length + 7));
    for (const { key, before, events } of results) {
      const ticks = events.map((e) => e.tick);
      expect(events.every((e) => e.subject === key)).toBe(true);
      // A prefix of what was published for the key, in order, at least as long as `before`.
      expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => i));
      expect(ticks.length).toBeGreaterThanOrEqual(before);
      expect(ticks.length).toBeLessThanOrEqual(acknowledged.get(key)!);
    }
    // After everything was acknowledged, a call sees all of it.
    const all = await Promise.all(keys.map((k) => reader.readKey(topic, k)));
    expect(all.map((events) => events.length)).toEqual(keys.map((k) => acknowledged.get(k)));
  });

  it('reads from a time: from the key’s first record stamped then or later (older ones after it kept), nothing when all are older, each call of a round from its own time', async () => {
    const topic = `bus.int.readkey.since.${randomUUID().slice(0, 8)}`;
    const kafka = new Kafka({ brokers, clientId: 'bus-int-stamped', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    // Two keys of one partition, stamped an hour ago and on, a second apart (b half a second
    // after a), as producers with those clocks would have.
    const [a, b] = Array.from({ length: 40 }, (_, i) => `world-${i}`).filter(
      (key) => partitionForKey(key, PARTITIONS) === partitionForKey('world-0', PARTITIONS),
    );
    const t0 = Date.now() - 3_600_000;
    const record = (key: string, tick: number, at: number) => ({
      key,
      value: JSON.stringify(testEvent(key, tick)),
      timestamp: String(at),
    });
    const producer = kafka.producer();
    await producer.connect();
    for (let tick = 0; tick < 10; tick++) {
      await producer.send({
        topic,
        messages: [record(a, tick, t0 + tick * 1_000), record(b, tick, t0 + tick * 1_000 + 500)],
      });
    }
    // A producer whose clock is behind: stamped before a's tick 5, written after tick 9.
    await producer.send({ topic, messages: [record(a, 10, t0 + 2_000)] });
    await producer.disconnect();

    const bus = newBus();
    const ticks = async (key: string, sinceMs?: number) =>
      (await bus.readKey(topic, key, { sinceMs })).map((e) => e.tick);
    const range = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i);
    // One round: each call from its own time.
    const [fromA, fromB, allA, none] = await Promise.all([
      ticks(a, t0 + 5_000),
      ticks(b, t0 + 7_600),
      ticks(a),
      ticks(a, Date.now() + 60_000),
    ]);
    expect(fromA).toEqual(range(5, 10));
    expect(fromB).toEqual(range(8, 9));
    expect(allA).toEqual(range(0, 10));
    expect(none).toEqual([]);
    // Alone in their rounds (the partition is read from the offset Kafka finds for the time).
    expect(await ticks(b, t0 + 9_000)).toEqual([9]);
    // No record of a is that recent (its tick 10 is stamped earlier): none.
    expect(await ticks(a, t0 + 9_001)).toEqual([]);
    expect(await ticks(a, Date.now() + 60_000)).toEqual([]);
    expect(await ticks(a, t0 - 60_000)).toEqual(range(0, 10));
  });

  it('reads a topic created after a call found none, several topics at once, skips (and logs) what is not an event, and refuses calls after close', async () => {
    const logged: string[] = [];
    const bus = newBus({ logger: (entry) => logged.push(`${entry.level}: ${entry.message}`) });
    const [a, b] = [0, 1].map(() => `bus.int.readkey.${randomUUID().slice(0, 8)}`);
    expect(await bus.readKey(a, 'w')).toEqual([]);
    await bus.publish(a, 'w', [testEvent('w', 0)]);
    const producer = new Kafka({
      brokers,
      clientId: 'bus-int-raw',
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({ topic: a, messages: [{ key: 'w', value: '{"not":"an event"}' }] });
    await producer.disconnect();
    await bus.publish(a, 'w', [testEvent('w', 1)]);
    await bus.publish(b, 'w', [testEvent('w', 7)]);
    const [fromA, fromB] = await Promise.all([bus.readKey(a, 'w'), bus.readKey(b, 'w')]);
    expect(fromA.map((e) => e.tick)).toEqual([0, 1]);
    expect(fromB.map((e) => e.tick)).toEqual([7]);
    expect(logged).toContain('error: skipped a record that is not a valid event');
    await bus.close();
    await expect(bus.readKey(a, 'w')).rejects.toBeInstanceOf(BusClosedError);
  });

  it('follows a topic: reads with a recent bound are answered from memory, as Kafka answers them (late stamps included, while more is published); older bounds and bad options go to Kafka or are refused', async () => {
    const topic = `bus.int.follow.${randomUUID().slice(0, 8)}`;
    const writer = newBus();
    const plain = newBus();
    const follower = newBus();
    await writer.ensureTopics([topic]);
    await expect(follower.followKeys(topic, { retainMs: 0 })).rejects.toThrow(
      "followKeys' retainMs must be a positive integer",
    );
    await follower.followKeys(topic, { retainMs: 60_000 });
    await follower.followKeys(topic, { retainMs: 60_000 }); // once per topic
    const keys = Array.from({ length: 6 }, (_, i) => `world-${i}`);
    const startedAt = Date.now();
    // Records acknowledged per key (world-0 has one more, its tick 10: a count, not a tick).
    const acknowledged = new Map(keys.map((k) => [k, 0]));
    const acknowledge = (key: string) => acknowledged.set(key, acknowledged.get(key)! + 1);
    const publishTick = async (tick: number) => {
      await Promise.all(keys.map((k) => writer.publish(topic, k, [testEvent(k, tick)])));
      keys.forEach(acknowledge);
    };
    for (let tick = 0; tick < 10; tick++) await publishTick(tick);
    // A producer whose clock is 2 s behind writes one more record of world-0.
    const producer = new Kafka({
      brokers,
      clientId: 'bus-int-late',
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        {
          key: keys[0],
          value: JSON.stringify(testEvent(keys[0], 10)),
          timestamp: String(Date.now() - 2_000),
        },
      ],
    });
    await producer.disconnect();
    acknowledge(keys[0]);

    // Calls while more is published: each sees at least what was acknowledged before it.
    const calls: Array<Promise<void>> = [];
    for (let wave = 0; wave < WAVES; wave++) {
      for (const key of keys) {
        const before = acknowledged.get(key)!;
        calls.push(
          follower.readKey(topic, key, { sinceMs: startedAt - 1_000 }).then((events) => {
            expect(events.every((e) => e.subject === key)).toBe(true);
            expect(events.length).toBeGreaterThanOrEqual(before);
          }),
        );
      }
      await publishTick(11 + wave);
    }
    await Promise.all(calls);
    // Then, at rest, the same answers as a read from Kafka, for bounds before, in and after.
    const bounds = [startedAt - 1_000, startedAt + 1, Date.now() - 1_500, Date.now() + 60_000];
    for (const sinceMs of bounds) {
      for (const key of keys) {
        const [held, read] = await Promise.all([
          follower.readKey(topic, key, { sinceMs }),
          plain.readKey(topic, key, { sinceMs }),
        ]);
        expect(held.map((e) => e.tick)).toEqual(read.map((e) => e.tick));
      }
    }
    const stats = follower.followStats().get(topic)!;
    expect(stats.answered).toBe(WAVES * keys.length + bounds.length * keys.length);
    expect(stats.passed).toBe(0);
    expect(stats.bytes).toBeGreaterThan(0);
    // A bound older than what it holds (and none at all) reads from Kafka.
    const all = await follower.readKey(topic, keys[1]);
    const old = await follower.readKey(topic, keys[1], { sinceMs: startedAt - 3_600_000 });
    expect(all.map((e) => e.tick)).toEqual(old.map((e) => e.tick));
    expect(all).toHaveLength(10 + WAVES);
    expect(follower.followStats().get(topic)!.passed).toBe(1);
  });
});
