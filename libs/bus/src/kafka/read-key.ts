// The Kafka side of `readKey` (see read-rounds.ts for how calls share rounds): a reader of one
// topic (a lane of its rounds), a consumer in a group of its own that stays joined with every partition paused, and
// per round seeks the partitions to read to their start (or to the offset of a timestamp, looked
// up through the admin client), resumes them and pauses each again once it reached the round's
// end. Nothing is committed. Joining a fresh group for every read (as
// readKey first did) costs a join per call, and a broker's `group.initial.rebalance.delay.ms`
// (3 s by default; testenv sets 0) delays every first join of a group by that much.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';

import { BusTimeoutError } from '../errors';
import type { BusLog } from './kafka-config';
import type { PartitionBounds, ReadRange, ReadRecord, ReadRoundsIO } from './read-rounds';

/**
 * Longest a fetch waits for records, and how long kafkajs sleeps between checks while every
 * partition is paused: a round starts reading at most this long after it resumed its partitions,
 * and an idle reader wakes up 20 times a second (no CPU above an idle kafkajs client's measured).
 */
const READ_FETCH_MAX_WAIT_MS = 50;

/** What the reader of one topic needs from its bus. */
export interface KeyReaderContext {
  kafka: Kafka;
  admin(): Promise<Admin>;
  log: BusLog;
  /** Joining the reader's group gives up after this long. */
  joinTimeoutMs: number;
}

/** `ReadRoundsIO` on Kafka for one topic; the reader consumer is started on the first read. */
export class KafkaKeyReader implements ReadRoundsIO {
  private exists = false;
  private reader: { instance: TopicReader; started: Promise<TopicReader> } | undefined;
  private closed = false;

  constructor(
    private readonly context: KeyReaderContext,
    readonly topic: string,
  ) {}

  async prepare(): Promise<void> {
    if (await this.topicExists()) await this.startReader();
  }

  async bounds(): Promise<PartitionBounds[] | undefined> {
    if (!(await this.topicExists())) return undefined;
    const admin = await this.context.admin();
    let offsets: Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
    try {
      offsets = await admin.fetchTopicOffsets(this.topic);
    } catch (error) {
      this.exists = false; // deleted since?
      if (!(await this.topicExists())) return undefined;
      throw error;
    }
    return offsets.map(({ partition, low, high }) => ({
      partition,
      low: Number(low),
      high: Number(high),
    }));
  }

  async offsetsAt(sinceMs: number, partitions: readonly number[]): Promise<Map<number, number>> {
    const admin = await this.context.admin();
    const offsets = await admin.fetchTopicOffsetsByTimestamp(this.topic, sinceMs);
    const wanted = new Set(partitions);
    return new Map(
      offsets
        .filter(({ partition }) => wanted.has(partition))
        // Kafka answers -1 for a partition with no record that recent (kafkajs gives its end
        // instead): nothing to read there.
        .map(({ partition, offset }) => [
          partition,
          Number(offset) >= 0 ? Number(offset) : Infinity,
        ]),
    );
  }

  async read(
    ranges: readonly ReadRange[],
    onRecord: (record: ReadRecord) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let reader = await this.startReader();
    const assigned = () => ranges.every((range) => reader.assigned.has(range.partition));
    if (!assigned()) {
      // Partitions added to the topic since the reader joined: a new reader sees them all.
      await this.dropReader(reader);
      reader = await this.startReader();
      if (!assigned()) throw new Error(`the reader of ${this.topic} was not given every partition`);
    }
    try {
      await reader.read(ranges, onRecord, signal);
    } catch (error) {
      // Abandoned, crashed or closed halfway: the next round starts from a fresh reader.
      await this.dropReader(reader);
      throw error;
    }
  }

  /** Stops the reader, also one still joining its group. */
  async close(): Promise<void> {
    this.closed = true;
    const reader = this.reader?.instance;
    this.reader = undefined;
    await reader?.close();
  }

  private async topicExists(): Promise<boolean> {
    if (!this.exists) {
      const admin = await this.context.admin();
      this.exists = (await admin.listTopics()).includes(this.topic);
    }
    return this.exists;
  }

  /** The running reader; a new one when there is none or it crashed. */
  private async startReader(): Promise<TopicReader> {
    if (this.closed) throw new Error(`the reader of ${this.topic} is closed`);
    if (this.reader?.instance.failed) await this.dropReader(this.reader.instance);
    if (!this.reader) {
      const instance = new TopicReader(this.context, this.topic);
      const reader = { instance, started: instance.start().then(() => instance) };
      this.reader = reader;
      reader.started.catch(() => {
        if (this.reader === reader) this.reader = undefined;
      });
    }
    return this.reader.started;
  }

  private async dropReader(reader: TopicReader): Promise<void> {
    if (this.reader?.instance === reader) this.reader = undefined;
    await reader.close();
  }
}

interface Reading {
  /** Per partition still being read: the next offset wanted and the end. */
  partitions: Map<number, { next: number; to: number }>;
  onRecord(record: ReadRecord): void;
  resolve(): void;
  reject(error: unknown): void;
}

/** A consumer of one topic in a group of its own, idle with every partition paused. */
class TopicReader {
  /** The partitions assigned at the last join (all of the topic's: the group has one member). */
  assigned = new Set<number>();
  failed: unknown;
  private readonly consumer: Consumer;
  private readonly groupId = `anvil-read-${randomUUID()}`;
  private reading: Reading | undefined;
  private stopJoin: ((error: unknown) => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly context: KeyReaderContext,
    private readonly topic: string,
  ) {
    this.consumer = context.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      // Fetches answer as soon as there is a byte, and an idle reader wakes up often enough
      // that a round does not wait for it.
      minBytes: 1,
      maxWaitTimeInMs: READ_FETCH_MAX_WAIT_MS,
      // A reader that failed is replaced by the next round, not restarted by kafkajs.
      retry: { retries: 5, restartOnFailure: async () => false },
    });
  }

  /** Connects and resolves once the consumer joined its group, with every partition paused. */
  async start(): Promise<void> {
    const { consumer, topic, context } = this;
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const ms = context.joinTimeoutMs;
        reject(
          new BusTimeoutError(`the reader of ${topic} did not join its group within ${ms} ms`),
        );
      }, context.joinTimeoutMs);
      this.stopJoin = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        clearTimeout(timer);
        this.onJoin(payload.memberAssignment[topic] ?? []);
        resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        context.log('warn', 'the readKey consumer crashed; the next read starts another', {
          topic,
          group: this.groupId,
          error: payload.error?.message,
        });
        this.fail(payload.error);
      });
    });
    joined.catch(() => undefined);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async (payload) => this.onBatch(payload),
      });
      await joined;
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      this.stopJoin = undefined;
    }
  }

  /** Reads the ranges (they must be assigned); rejects when `signal` aborts or the consumer crashes. */
  read(
    ranges: readonly ReadRange[],
    onRecord: (record: ReadRecord) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.reading) return Promise.reject(new Error('the reader is already reading'));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => this.finish(new Error('the read was abandoned'));
      signal.addEventListener('abort', onAbort, { once: true });
      this.reading = {
        partitions: new Map(
          ranges.map(({ partition, from, to }) => [partition, { next: from, to }]),
        ),
        onRecord,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      if (signal.aborted) return onAbort();
      const partitions = ranges.map((range) => range.partition);
      for (const { partition, from } of ranges) {
        this.consumer.seek({ topic: this.topic, partition, offset: String(from) });
      }
      this.consumer.resume([{ topic: this.topic, partitions }]);
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const error = new Error(`the reader of ${this.topic} was closed`);
      this.stopJoin?.(error);
      this.finish(error);
      await this.consumer.disconnect().catch(() => undefined);
    })();
    return this.closing;
  }

  private fail(error: unknown): void {
    this.failed = error ?? new Error('the readKey consumer crashed');
    this.stopJoin?.(this.failed);
    this.finish(this.failed);
  }

  /** At every (re)join: every partition paused but those being read. */
  private onJoin(partitions: number[]): void {
    this.assigned = new Set(partitions);
    const reading = this.reading?.partitions;
    const idle = partitions.filter((partition) => !reading?.has(partition));
    this.pause(idle);
    if (reading?.size)
      this.consumer.resume([{ topic: this.topic, partitions: [...reading.keys()] }]);
  }

  private onBatch({ batch, isStale }: EachBatchPayload): void {
    const reading = this.reading;
    const state = reading?.partitions.get(batch.partition);
    // Fetched before this round's seek.
    if (isStale()) return;
    // A partition no round reads (should be paused already).
    if (!reading || !state) return this.pause([batch.partition]);
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      // Records seen already (a rejoin starts the partition over) and records after the end.
      if (offset < state.next) continue;
      if (offset >= state.to) break;
      state.next = offset + 1;
      reading.onRecord({
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString('utf8'),
        value: message.value,
        timestamp: Number(message.timestamp),
      });
    }
    // Past the batch's last record, control records and compacted-away offsets included.
    state.next = Math.max(state.next, Number(batch.lastOffset()) + 1);
    if (state.next < state.to) return;
    reading.partitions.delete(batch.partition);
    this.pause([batch.partition]);
    if (reading.partitions.size === 0) this.finish();
  }

  private finish(error?: unknown): void {
    const reading = this.reading;
    if (!reading) return;
    this.reading = undefined;
    this.pause([...reading.partitions.keys()]);
    if (error) reading.reject(error);
    else reading.resolve();
  }

  /** Pauses by partition number (kafkajs forgets a whole-topic pause at the next one). */
  private pause(partitions: number[]): void {
    if (partitions.length === 0) return;
    try {
      this.consumer.pause([{ topic: this.topic, partitions }]);
    } catch {
      // Not running (stopped, crashed): nothing to pause.
    }
  }
}
