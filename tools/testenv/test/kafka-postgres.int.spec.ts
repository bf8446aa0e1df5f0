import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { clusterId } from '../lib/kafka.cjs';

describe('the real Kafka broker', () => {
  it('is formatted with a cluster id the format tool cannot take for an option', () => {
    const ids = Array.from({ length: 5_000 }, clusterId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the order of a key across a produce/consume round trip', async () => {
    const kafka = new Kafka({
      clientId: 'smoke',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
    });
    const topic = `smoke-${process.pid}-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 50 }, (_, i) => ({
      key: `world-${i % 3}`,
      value: String(i),
    }));
    for (let i = 0; i < sent.length; i += 10)
      await producer.send({ topic, acks: -1, messages: sent.slice(i, i + 10) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; value: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of ${sent.length} messages arrived`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key!.toString(), value: message.value!.toString() });
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    for (const key of ['world-0', 'world-1', 'world-2']) {
      const order = (list: typeof sent) => list.filter((m) => m.key === key).map((m) => m.value);
      expect(order(received)).toEqual(order(sent));
    }
  });
});

describe('the real PostgreSQL server', () => {
  it('answers a query in the anvil_test database', async () => {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ db: string; sum: number }>(
      'SELECT current_database() AS db, 40 + 2 AS sum',
    );
    await client.end();
    expect(rows).toEqual([{ db: 'anvil_test', sum: 42 }]);
  });
});
