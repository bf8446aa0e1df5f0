// One subscription = one kafkajs consumer in the group. Offsets are resolved only after the
// handler resolved (eachBatchAutoResolve off), so kafkajs commits only handled records. When a
// handler fails, its partition is paused and resumed after the redelivery delay: kafkajs then
// fetches again from the first unresolved record, so the failed record comes back first (key
// order holds) while the other partitions keep flowing.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

import { parseCloudEvent } from '../cloud-event';
import { BusTimeoutError } from '../errors';
import type { BusHandler, BusMessage, SubscribeOptions, Subscription } from '../event-bus';
import type { BusLog } from './kafka-config';

/** What a subscription needs from its bus. */
export interface SubscriptionContext {
  kafka: Kafka;
  log: BusLog;
  redeliveryDelay(attempt: number): number;
  joinTimeoutMs: number;
  fetchMaxWaitMs: number;
  partitionsConsumedConcurrently: number;
}

/** A running consumer; `close` lets the in-flight handler finish, commits and leaves the group. */
export class KafkaSubscription implements Subscription {
  private stopping = false;
  /** Consecutive failures of the record at the head of each paused partition. */
  private readonly failures = new Map<string, { offset: string; attempt: number }>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly consumer: Consumer,
    private readonly handler: BusHandler,
    private readonly context: SubscriptionContext,
    private readonly onClosed: () => void,
  ) {}

  /** Connects, subscribes and resolves once the consumer has joined its group. */
  static async start(
    context: SubscriptionContext,
    options: SubscribeOptions,
    handler: BusHandler,
    onClosed: (subscription: KafkaSubscription) => void,
  ): Promise<KafkaSubscription> {
    const consumer = context.kafka.consumer({
      groupId: options.group,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: context.fetchMaxWaitMs,
    });
    const subscription: KafkaSubscription = new KafkaSubscription(consumer, handler, context, () =>
      onClosed(subscription),
    );
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      context.log('error', 'consumer crashed', {
        group: options.group,
        error: payload.error?.message,
        restart: payload.restart,
      }),
    );
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [options.topic],
        fromBeginning: options.fromBeginning ?? false,
      });
      const joined = waitForJoin(consumer, context.joinTimeoutMs);
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: context.partitionsConsumedConcurrently,
        eachBatch: (payload) => subscription.onBatch(payload),
      });
      await joined;
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return subscription;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      this.resumeTimers.forEach((timer) => clearTimeout(timer));
      try {
        await this.consumer.disconnect();
      } finally {
        this.onClosed();
      }
    })();
    return this.closing;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } =
      payload;
    for (const record of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) return;
      const message = this.decode(batch.topic, batch.partition, record);
      if (message && !(await this.deliver(message, payload.pause))) return;
      resolveOffset(record.offset);
      await heartbeat();
      await commitOffsetsIfNecessary();
    }
  }

  /** Calls the handler; on failure pauses the partition until the redelivery delay has passed. */
  private async deliver(message: BusMessage, pause: () => () => void): Promise<boolean> {
    const { topic, partition } = message;
    const offset = message.offset ?? '';
    const id = `${topic}|${partition}`;
    try {
      await this.handler(message);
      this.failures.delete(id);
      return true;
    } catch (error) {
      const previous = this.failures.get(id);
      const attempt = previous && previous.offset === offset ? previous.attempt + 1 : 1;
      this.failures.set(id, { offset, attempt });
      const delayMs = this.context.redeliveryDelay(attempt);
      this.context.log('warn', 'handler failed; redelivering', {
        ...{ topic, partition, offset, id: message.event.id, attempt, delayMs },
        error: error instanceof Error ? error.message : String(error),
      });
      if (this.stopping) return false;
      const resume = pause();
      const timer = setTimeout(() => {
        this.resumeTimers.delete(timer);
        resume();
      }, delayMs);
      this.resumeTimers.add(timer);
      return false;
    }
  }

  /** Parses a record; a record that is not a valid event is logged at error level and skipped. */
  private decode(topic: string, partition: number, record: KafkaMessage): BusMessage | undefined {
    const key = record.key?.toString('utf8') ?? '';
    try {
      const event = parseCloudEvent(record.value ?? '');
      return { topic, key, event, partition, offset: record.offset };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.context.log('error', 'skipping a record that is not a valid Anvil CloudEvent', {
        topic,
        partition,
        offset: record.offset,
        key,
        error: reason,
      });
      return undefined;
    }
  }
}

function waitForJoin(consumer: Consumer, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new BusTimeoutError(`the consumer did not join its group within ${timeoutMs} ms`));
    }, timeoutMs);
    const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
      stop();
      resolve();
    });
    // A crash kafkajs restarts from may still end in a join; one it does not is final.
    const removeCrash = consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      stop();
      reject(payload.error);
    });
    const stop = () => {
      clearTimeout(timer);
      removeJoin();
      removeCrash();
    };
  });
}
