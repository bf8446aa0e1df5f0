// KafkaBus against the real broker of tools/testenv (KAFKA_BROKERS from .testenv/env).
import { randomUUID } from 'node:crypto';

import { Kafka, logLevel } from 'kafkajs';

import { BusClosedError } from '../src/errors';
import type { BusMessage } from '../src/event-bus';
import { partitionForKey } from '../src/partitioner';
import { describeBusContract, testEvent, waitFor } from '../src/testing/bus-contract';
import { KafkaBus, parseBrokers, type KafkaBusConfig } from '../src/kafka/index';

const brokers = parseBrokers(process.env['KAFKA_BROKERS'] ?? '');
const config = (overrides: Partial<KafkaBusConfig> = {}): KafkaBusConfig => ({
  brokers,
  clientId: `bus-int-${randomUUID().slice(0, 6)}`,
  partitions: 4,
  redeliveryDelayMs: 50,
  ...overrides,
});

describeBusContract('KafkaBus', () => ({
  createBus: () => new KafkaBus(config()),
  partitions: 4,
  timeoutMs: 60_000,
}));

describe('KafkaBus on a real broker', () => {
  const buses: KafkaBus[] = [];
  const newBus = (overrides?: Partial<KafkaBusConfig>) => {
    const bus = new KafkaBus(config(overrides));
    buses.push(bus);
    return bus;
  };
  const topic = () => `bus.int.${randomUUID().slice(0, 8)}`;
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('creates topics with the configured partitions, keyed by Kafka partitioner', async () => {
    const bus = newBus({ partitions: 5 });
    const name = topic();
    await bus.ensureTopics([name]);
    await bus.ensureTopics([name]);
    const admin = new Kafka({
      brokers,
      clientId: 'bus-int-admin',
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [name] })).topics;
      expect(metadata.partitions).toHaveLength(5);
    } finally {
      await admin.disconnect();
    }
    const got: BusMessage[] = [];
    await bus.subscribe(
      { topic: name, group: `g-${randomUUID()}`, fromBeginning: true },
      async (m) => void got.push(m),
    );
    const worlds = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    await Promise.all(worlds.map((w) => bus.publish(name, w, [testEvent(w, 0)])));
    await waitFor(() => got.length === worlds.length, 30_000, 'one event per world');
    for (const m of got) expect(m.partition).toBe(partitionForKey(m.key, 5));
  });

  it('writes plain CloudEvents any Kafka client can read: JSON value, world id key, content-type header', async () => {
    const bus = newBus();
    const name = topic();
    const event = testEvent('world-x', 7);
    await bus.publish(name, 'world-x', [event]);
    const consumer = new Kafka({
      brokers,
      clientId: 'bus-int-plain',
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: `plain-${randomUUID()}`,
    });
    const seen: Array<{ key: string; value: unknown; contentType: string }> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [name], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) =>
          void seen.push({
            key: message.key!.toString(),
            value: JSON.parse(message.value!.toString()),
            contentType: String(message.headers?.['content-type']),
          }),
      });
      await waitFor(() => seen.length === 1, 30_000, 'the record');
    } finally {
      await consumer.disconnect();
    }
    expect(seen[0]).toEqual({
      key: 'world-x',
      value: event,
      contentType: 'application/cloudevents+json; charset=UTF-8',
    });
  });

  it('skips (and logs) a record that is not a CloudEvent instead of blocking the partition', async () => {
    const logged: string[] = [];
    const bus = newBus({ logger: (entry) => logged.push(`${entry.level}: ${entry.message}`) });
    const name = topic();
    await bus.ensureTopics([name]);
    const producer = new Kafka({
      brokers,
      clientId: 'bus-int-raw',
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({ topic: name, messages: [{ key: 'w', value: '{"not":"an event"}' }] });
    await producer.disconnect();
    await bus.publish(name, 'w', [testEvent('w', 1)]);
    const got: BusMessage[] = [];
    await bus.subscribe(
      { topic: name, group: `g-${randomUUID()}`, fromBeginning: true },
      async (m) => void got.push(m),
    );
    await waitFor(() => got.length === 1, 30_000, 'the valid event');
    expect(got[0].event.tick).toBe(1);
    expect(logged).toContain('error: skipping a record that is not a valid Anvil CloudEvent');
  });

  it('publishes a large burst in several requests, each world in order', async () => {
    const bus = newBus({ maxBatchBytes: 64 * 1024 });
    const name = topic();
    const got = new Map<string, number[]>();
    await bus.subscribe(
      { topic: name, group: `g-${randomUUID()}`, fromBeginning: true },
      async (m) => {
        got.set(m.key, [...(got.get(m.key) ?? []), m.event.tick]);
      },
    );
    const worlds = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    const ticks = Array.from({ length: 300 }, (_, i) => i);
    await Promise.all(
      worlds.map((w) =>
        bus.publish(
          name,
          w,
          ticks.map((t) => testEvent(w, t)),
        ),
      ),
    );
    await waitFor(() => [...got.values()].flat().length >= 3_000, 60_000, '3,000 events');
    for (const w of worlds) expect(got.get(w)).toEqual(ticks);
  });

  it('refuses calls after close, and closes twice without error', async () => {
    const bus = newBus();
    await bus.connect();
    await bus.close();
    await bus.close();
    await expect(
      bus.subscribe({ topic: topic(), group: 'g' }, async () => undefined),
    ).rejects.toBeInstanceOf(BusClosedError);
    await expect(bus.connect()).rejects.toBeInstanceOf(BusClosedError);
  });
});
