// KafkaBus.readKey under concurrency against the real broker of tools/testenv: calls of many
// keys, and of one key, made together and while records are being published, each see at least
// every record acknowledged before they were called, only of their key, in order. Timings are in
// bench/bus (node bench/bus/run.cjs read-key), not asserted here.
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
