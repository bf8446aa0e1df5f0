// The cluster-mode bus on kafkajs: an idempotent producer (acks=all) whose concurrent publishes are
// coalesced into GZIP-compressed produce requests, topics created through the admin API, one
// consumer per subscription that commits only what its handler finished, and for readKey up to
// two readers per topic whose rounds serve concurrent calls together.
import {
  CompressionTypes,
  Kafka,
  Partitioners,
  type Admin,
  type Message,
  type Producer,
} from 'kafkajs';

import {
  validateFollowKeys,
  validatePublish,
  validateReadKey,
  validateSubscribe,
} from '../arguments';
import { BusClosedError } from '../errors';
import type {
  BusHandler,
  CloudEvent,
  EventBus,
  FollowKeysOptions,
  ReadKeyOptions,
  SubscribeOptions,
  Subscription,
} from '../event-bus';
import { redeliveryBackoff } from '../redelivery';
import { assertTopicName } from '../topics';
import { startDetached } from '@anvil/telemetry';
import { startPublishSpans } from '../tracing/publish-spans';
import {
  busLog,
  kafkajsLogCreator,
  kafkajsLogLevel,
  resolveKafkaBusConfig,
  type BusLog,
  type KafkaBusConfig,
  type ResolvedKafkaBusConfig,
} from './kafka-config';
import { KafkaSubscription } from './kafka-subscription';
import { PublishQueue, type QueuedRecord } from './publish-queue';
import { fixKafkajsRequestQueue } from './kafkajs-request-queue';
import { KeyTail, type KeyTailStats } from './key-tail';
import { KafkaKeyReader } from './read-key';
import { ReadRounds } from './read-rounds';

// Every process that uses the bus gets kafkajs without its idle timer loop (see the module).
fixKafkajsRequestQueue();

/** The Kafka protocol binding's content type for CloudEvents in structured mode. */
const CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/**
 * readKey rounds that run at once per topic, each on a reader of its own (the second is started
 * when first needed): a read that comes while a round runs starts at once instead of after it.
 */
const READ_LANES = 2;

/**
 * `EventBus` on Apache Kafka. Records are keyed by world id and partitioned with Kafka's default
 * (murmur2) partitioner; every record value is one CloudEvent in structured JSON mode, so any
 * Kafka consumer can read the topics without Anvil code.
 */
export class KafkaBus implements EventBus {
  /** The configuration after defaults. */
  readonly config: ResolvedKafkaBusConfig;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly log: BusLog;
  private readonly queue: PublishQueue;
  private readonly topics = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  /** readKey's reader per topic, started on the first read of that topic. */
  private readonly readers = new Map<string, ReadRounds>();
  /** The topics followed (`followKeys`): their recent records, held in memory. */
  private readonly tails = new Map<string, KeyTail>();
  private producerReady: Promise<void> | undefined;
  private adminReady: Promise<Admin> | undefined;
  private replication: Promise<number> | undefined;
  private closing: Promise<void> | undefined;

  /** Validates `config` (throws `InvalidBusArgumentError`); connects lazily, or through `connect()`. */
  constructor(config: KafkaBusConfig) {
    this.config = resolveKafkaBusConfig(config);
    this.log = busLog(this.config);
    this.kafka = new Kafka({
      ...this.config.kafka,
      brokers: this.config.brokers,
      clientId: this.config.clientId,
      logLevel: kafkajsLogLevel(this.config.logLevel),
      logCreator: kafkajsLogCreator(this.config),
    });
    // Idempotent: the broker drops retried duplicates; kafkajs then requires acks=-1, retries
    // unlimited and serialises requests per broker; one request in flight keeps order on retry.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.queue = new PublishQueue((records) => this.send(records), this.config.maxBatchBytes);
  }

  /** Connects the producer now instead of on the first publish. */
  connect(): Promise<void> {
    if (this.closing) return Promise.reject(new BusClosedError('connect'));
    return this.connectProducer();
  }

  private connectProducer(): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady;
  }

  /** Creates the topics that do not exist yet with the configured partitions and replication. */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    topics.forEach(assertTopicName);
    await Promise.all(
      topics.map((topic) => {
        let created = this.topics.get(topic);
        if (!created) {
          created = this.createTopic(topic);
          this.topics.set(topic, created);
          created.catch(() => this.topics.delete(topic));
        }
        return created;
      }),
    );
  }

  /** Queues the events for the next produce request; resolves once the brokers acknowledged them (acks=all). */
  async publish(topic: string, key: string, events: CloudEvent[]): Promise<void> {
    if (this.closing) throw new BusClosedError('publish');
    const spans = startPublishSpans('kafka', topic, key, events);
    try {
      const values = validatePublish(topic, key, spans.events);
      if (values.length > 0) await this.queue.enqueue(topic, key, values);
      spans.end();
    } catch (error) {
      spans.end(error);
      throw error;
    }
  }

  /** Starts a consumer in `options.group`; resolves once it has joined the group. */
  async subscribe(options: SubscribeOptions, handler: BusHandler): Promise<Subscription> {
    if (this.closing) throw new BusClosedError('subscribe');
    validateSubscribe(options, handler);
    if (this.config.createTopics) await this.ensureTopics([options.topic]);
    // Its consumer loop belongs to no trace, even when a traced request subscribes.
    const subscription = await startDetached(() =>
      KafkaSubscription.start(
        {
          kafka: this.kafka,
          log: this.log,
          joinTimeoutMs: this.config.joinTimeoutMs,
          fetchMaxWaitMs: this.config.fetchMaxWaitMs,
          partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
          redeliveryDelay: redeliveryBackoff(
            this.config.redeliveryDelayMs,
            this.config.maxRedeliveryDelayMs,
          ),
        },
        options,
        handler,
        (closed) => this.subscriptions.delete(closed),
      ),
    );
    if (this.closing) {
      await subscription.close();
      throw new BusClosedError('subscribe');
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Every retained event of `key` on `topic`, from the start of its partition to the end it has
   * now; [] when the topic does not exist. With `sinceMs`, from the key's first record whose
   * timestamp is at or after then (the partition is read from the offset Kafka finds for that
   * time). Concurrent calls of a topic share reads (rounds of one consumer of that topic, in a
   * group of its own, nothing committed); a call rejects after `joinTimeoutMs`.
   */
  async readKey(topic: string, key: string, options?: ReadKeyOptions): Promise<CloudEvent[]> {
    if (this.closing) throw new BusClosedError('readKey');
    const sinceMs = validateReadKey(topic, options);
    if (sinceMs !== undefined) {
      const held = await this.tails.get(topic)?.read(key, sinceMs);
      if (held) return held;
    }
    let rounds = this.readers.get(topic);
    if (!rounds) {
      const context = {
        kafka: this.kafka,
        admin: () => this.admin(),
        log: this.log,
        joinTimeoutMs: this.config.joinTimeoutMs,
      };
      rounds = new ReadRounds(topic, () => new KafkaKeyReader(context, topic), {
        timeoutMs: this.config.joinTimeoutMs,
        log: this.log,
        lanes: READ_LANES,
      });
      this.readers.set(topic, rounds);
    }
    return rounds.read(key, sinceMs);
  }

  /**
   * Follows `topic` with a consumer of its own (in a group of its own, nothing committed) that
   * holds its records of the last `retainMs` in memory: a `readKey` with a `sinceMs` in that
   * time answers from them once the consumer reached the partition's end as it was when called
   * (one offsets request, shared by the reads made together), instead of seeking the partition
   * back and reading it again. Other calls, and all of them when the consumer stops, read from
   * Kafka. Once per topic.
   */
  async followKeys(topic: string, options: FollowKeysOptions): Promise<void> {
    if (this.closing) throw new BusClosedError('followKeys');
    const limits = validateFollowKeys(topic, options);
    if (this.tails.has(topic)) return;
    if (this.config.createTopics) await this.ensureTopics([topic]);
    const tail = new KeyTail(
      {
        kafka: this.kafka,
        admin: () => this.admin(),
        log: this.log,
        joinTimeoutMs: this.config.joinTimeoutMs,
      },
      topic,
      limits,
    );
    this.tails.set(topic, tail);
    try {
      await tail.start();
    } catch (error) {
      this.tails.delete(topic);
      await tail.close();
      throw error;
    }
  }

  /** How the followed topics' reads went (`followKeys`), per topic. */
  followStats(): Map<string, KeyTailStats> {
    return new Map([...this.tails].map(([topic, tail]) => [topic, tail.stats()]));
  }

  /** Sends everything queued, closes every subscription (committing what was handled) and disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.drain();
      const results = await Promise.allSettled([
        ...[...this.subscriptions].map((s) => s.close()),
        ...[...this.readers.values()].map((r) => r.close()),
        ...[...this.tails.values()].map((t) => t.close()),
      ]);
      await this.producer.disconnect();
      if (this.adminReady) await (await this.adminReady.catch(() => undefined))?.disconnect();
      const failed = results.find(
        (result): result is PromiseRejectedResult => result.status === 'rejected',
      );
      if (failed) throw failed.reason;
    })();
    return this.closing;
  }

  private async send(records: QueuedRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, key, value } of records) {
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push({ key, value, headers: { 'content-type': CONTENT_TYPE } });
    }
    if (this.config.createTopics) await this.ensureTopics([...byTopic.keys()]);
    await this.connectProducer();
    await this.producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      acks: -1,
      compression:
        this.config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    });
  }

  private admin(): Promise<Admin> {
    this.adminReady ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.adminReady = undefined;
      throw error;
    });
    return this.adminReady;
  }

  private async createTopic(topic: string): Promise<void> {
    const admin = await this.admin();
    const replicationFactor =
      this.config.replicationFactor ?? (await this.defaultReplication(admin));
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: this.config.partitions, replicationFactor }],
      waitForLeaders: true,
    });
    if (created)
      this.log('info', 'created topic', {
        topic,
        partitions: this.config.partitions,
        replicationFactor,
      });
  }

  private defaultReplication(admin: Admin): Promise<number> {
    this.replication ??= admin
      .describeCluster()
      .then(({ brokers }) => Math.max(1, Math.min(3, brokers.length)));
    this.replication.catch(() => (this.replication = undefined));
    return this.replication;
  }
}
