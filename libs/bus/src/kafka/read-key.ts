// Reads one key's records of a topic back, from the start of its partition to the end it has
// now: a throwaway consumer (a fresh group that never commits) on that one partition.
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { parseCloudEvent } from '../cloud-event';
import type { CloudEvent } from '../event-bus';
import { partitionForKey } from '../partitioner';
import type { BusLog } from './kafka-config';

/** What `readKey` needs from the bus. */
export interface ReadKeyDeps {
  kafka: Kafka;
  admin: Admin;
  log: BusLog;
  /** Gives up (rejects) after this long. */
  timeoutMs: number;
}

/** Every record of `key` on `topic` up to the partition's end now, parsed; [] for no topic. */
export async function readKey(
  deps: ReadKeyDeps,
  topic: string,
  key: string,
): Promise<CloudEvent[]> {
  const { admin, kafka, log } = deps;
  if (!(await admin.listTopics()).includes(topic)) return [];
  const offsets = await admin.fetchTopicOffsets(topic);
  const partition = partitionForKey(key, offsets.length);
  const bounds = offsets.find((o) => o.partition === partition);
  const low = Number(bounds?.low ?? 0);
  const high = Number(bounds?.high ?? 0);
  if (high <= low) return [];
  const consumer = kafka.consumer({ groupId: `anvil-read-${randomUUID()}` });
  const events: CloudEvent[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} back took over ${deps.timeoutMs} ms`)),
        deps.timeoutMs,
      );
      const done = (error?: unknown) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      consumer.on(consumer.events.CRASH, ({ payload }) => done(payload.error));
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition: p, message }) => {
            if (p !== partition) return;
            if (message.key?.toString('utf8') === key) {
              try {
                events.push(parseCloudEvent(message.value ?? ''));
              } catch (error) {
                log('error', 'skipped a record that is not a valid event', {
                  topic,
                  partition: p,
                  offset: message.offset,
                  error: String(error),
                });
              }
            }
            if (Number(message.offset) >= high - 1) done();
          },
        })
        .catch(done);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return events;
}
