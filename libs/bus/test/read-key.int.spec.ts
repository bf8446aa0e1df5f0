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
});
