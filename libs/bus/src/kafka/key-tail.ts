// `followKeys` on Kafka: a consumer in a group of its own that keeps reading one topic and holds
// its recent records in memory (TailBuffer), so that a `readKey` whose `sinceMs` falls within
// them is answered once the consumer has caught up with the partition's end, instead of seeking
// the partition back and reading it again (Kafka Streams keeps standby replicas of its state for
// the same reason). At every join each partition is positioned at the offset Kafka finds for
// `retainMs` ago, so what is kept is exactly what a read from that time would give. Nothing is
// committed.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';

import { BusTimeoutError } from '../errors';
import type { CloudEvent } from '../event-bus';
import { partitionForKey } from '../partitioner';
import type { KeyReaderContext } from './read-key';
import { parseRecords } from './read-rounds';
import { TailBuffer, type TailLimits, type TailRecord } from './tail-buffer';

/** Pause before asking again for the offsets to position at, after a retriable error. */
const POSITION_RETRY_MS = 100;

/** Longest a read waits for the tail to reach the partition's end before it reads from Kafka. */
export const TAIL_CATCH_UP_MS = 5_000;

/**
 * A fetch answers once this much is there, or after TAIL_FETCH_MAX_WAIT_MS: a tail is that far
 * behind at most, and fetches a busy topic 20 times a second instead of once per produce request
 * (kafkajs costs about 2.5 ms of CPU a fetch on the test machine: 77 fetches a second of a topic
 * written 100 times a second took 190 ms of CPU a second, 17 fetches 71 ms).
 */
const TAIL_FETCH_MIN_BYTES = 64 * 1024;
const TAIL_FETCH_MAX_WAIT_MS = 50;

/** What the admin client answers for a topic's partitions (`high`: the end). */
type TopicEnds = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/** A reader's context (joining and positioning give up after `joinTimeoutMs`), and a clock. */
export interface KeyTailContext extends KeyReaderContext {
  now?: () => number;
}

/** Reads answered from the tail, and those it passed on (not covered, not caught up, stopped). */
export interface KeyTailStats {
  answered: number;
  passed: number;
  bytes: number;
}

/** One followed topic: its consumer and what it kept. */
export class KeyTail {
  private readonly buffer: TailBuffer;
  private readonly consumer: Consumer;
  private readonly now: () => number;
  /** Reads waiting for the tail to reach an offset; woken after every batch. */
  private readonly waiting = new Set<() => void>();
  private partitionCount = 0;
  /** The ends request on its way, and the one that follows it (see `freshEnds`). */
  private endsAsked: Promise<TopicEnds> | undefined;
  private endsNext: Promise<TopicEnds> | undefined;
  /** Settles at the first positioning after a join. */
  private positioned!: (error?: unknown) => void;
  private readonly ready = new Promise<void>((resolve, reject) => {
    this.positioned = (error) => (error ? reject(error) : resolve());
  });
  private stopped = false;
  private answered = 0;
  private passed = 0;

  constructor(
    private readonly context: KeyTailContext,
    readonly topic: string,
    private readonly limits: TailLimits,
  ) {
    this.now = context.now ?? Date.now;
    this.buffer = new TailBuffer(limits);
    this.consumer = context.kafka.consumer({
      groupId: `anvil-tail-${randomUUID()}`,
      allowAutoTopicCreation: false,
      minBytes: TAIL_FETCH_MIN_BYTES,
      maxWaitTimeInMs: TAIL_FETCH_MAX_WAIT_MS,
      retry: { retries: 5, restartOnFailure: async () => false },
    });
  }

  /** Connects and starts following; resolves once it joined its group and is positioned. */
  async start(): Promise<void> {
    const { consumer, topic, context } = this;
    this.ready.catch(() => undefined);
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      void this.position(payload.memberAssignment[topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      context.log('warn', 'the consumer following a topic crashed; reads go to Kafka again', {
        topic,
        error: payload.error?.message,
      });
      this.stop();
    });
    const timer = setTimeout(() => {
      const ms = context.joinTimeoutMs;
      this.positioned(new BusTimeoutError(`following ${topic}: not positioned within ${ms} ms`));
    }, context.joinTimeoutMs);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async (payload) => this.onBatch(payload),
      });
      await this.ready;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * `key`'s records (as `readKey` with `sinceMs` answers them) when the tail holds them: it
   * covers `sinceMs` and reached the partition's end as it was when called. Undefined otherwise
   * (the caller reads from Kafka).
   */
  async read(key: string, sinceMs: number): Promise<CloudEvent[] | undefined> {
    const found = await this.tryRead(key, sinceMs).catch((error: unknown) => {
      this.context.log('warn', 'reading from the followed topic failed; reading from Kafka', {
        topic: this.topic,
        error: String(error),
      });
      return undefined;
    });
    if (found) this.answered += 1;
    else this.passed += 1;
    return found;
  }

  stats(): KeyTailStats {
    return { answered: this.answered, passed: this.passed, bytes: this.buffer.size };
  }

  async close(): Promise<void> {
    this.stop();
    await this.consumer.disconnect().catch(() => undefined);
  }

  private async tryRead(key: string, sinceMs: number): Promise<CloudEvent[] | undefined> {
    if (this.stopped || this.partitionCount === 0) return undefined;
    const partition = partitionForKey(key, this.partitionCount);
    if (!this.buffer.covers(partition, sinceMs)) return undefined;
    const ends = await this.freshEnds();
    // Partitions added since the join: the tail does not know where keys are now.
    if (ends.length !== this.partitionCount) return undefined;
    const end = Number(ends.find((p) => p.partition === partition)?.high ?? NaN);
    if (!Number.isFinite(end) || !(await this.reach(partition, end))) return undefined;
    if (!this.buffer.covers(partition, sinceMs)) return undefined;
    const records = this.buffer.read(partition, key, sinceMs, end);
    return parseRecords(this.topic, partition, records, this.context.log);
  }

  /**
   * The partitions' ends as asked after this call began: one request at a time, shared by every
   * read that came while it was on its way or (when it had started before them) by the next one.
   * A takeover reads many worlds' logs at once: each asking on its own took 20-520 ms in
   * test/failover (the admin client's two offsets requests each, queued at a loaded broker).
   */
  private freshEnds(): Promise<TopicEnds> {
    if (!this.endsAsked) {
      const asked = this.context
        .admin()
        .then((admin) => admin.fetchTopicOffsets(this.topic))
        .finally(() => {
          if (this.endsAsked === asked) this.endsAsked = undefined;
        });
      this.endsAsked = asked;
      return asked;
    }
    // The request on its way may have been sent before this call: wait for the next one.
    this.endsNext ??= this.endsAsked
      .catch(() => undefined)
      .then(() => {
        this.endsNext = undefined;
        return this.freshEnds();
      });
    return this.endsNext;
  }

  /** Resolves true once the partition's position is at `end`, false after TAIL_CATCH_UP_MS or a stop. */
  private reach(partition: number, end: number): Promise<boolean> {
    const reached = () => (this.buffer.position(partition) ?? -1) >= end;
    if (reached()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.waiting.delete(check);
        resolve(result);
      };
      const check = () => {
        if (this.stopped) done(false);
        else if (reached()) done(true);
      };
      const timer = setTimeout(() => done(false), TAIL_CATCH_UP_MS);
      this.waiting.add(check);
    });
  }

  /** At every join: each assigned partition restarts at the offset of `retainMs` ago. */
  private async position(partitions: number[]): Promise<void> {
    try {
      const { ends, from } = await this.offsetsToPosition();
      for (const partition of partitions) {
        const high = Number(ends.find((p) => p.partition === partition)?.high ?? 0);
        const found = Number(from.offsets.find((p) => p.partition === partition)?.offset ?? -1);
        // -1: no record that recent, so every record until the end is older.
        const offset = found >= 0 ? Math.min(found, high) : high;
        this.buffer.start(partition, offset, from.coversFromMs);
        this.consumer.seek({ topic: this.topic, partition, offset: String(offset) });
      }
      this.partitionCount = ends.length;
      this.positioned();
    } catch (error) {
      this.positioned(error);
      this.context.log('warn', 'could not position the consumer following a topic', {
        topic: this.topic,
        error: String(error),
      });
      this.stop();
    }
  }

  /**
   * The partitions' ends and their offsets of `retainMs` ago. A partition whose leader is not
   * ready yet (a topic just created, a leader moving) answers with a retriable error that the
   * admin client does not retry: asked again, every POSITION_RETRY_MS, for `joinTimeoutMs`.
   */
  private async offsetsToPosition() {
    const admin = await this.context.admin();
    const giveUpAt = Date.now() + this.context.joinTimeoutMs;
    for (;;) {
      try {
        const coversFromMs = this.now() - this.limits.retainMs;
        const [ends, offsets] = await Promise.all([
          admin.fetchTopicOffsets(this.topic),
          admin.fetchTopicOffsetsByTimestamp(this.topic, coversFromMs),
        ]);
        return { ends, from: { coversFromMs, offsets } };
      } catch (error) {
        const retriable = (error as { retriable?: unknown }).retriable === true;
        if (!retriable || this.stopped || Date.now() + POSITION_RETRY_MS > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, POSITION_RETRY_MS));
      }
    }
  }

  private onBatch({ batch, isStale }: EachBatchPayload): void {
    if (isStale() || this.stopped) return;
    const { partition } = batch;
    const next = this.buffer.position(partition);
    if (next === undefined) return;
    const first = Number(batch.firstOffset() ?? next);
    // Fetched before this partition was positioned (from the end): it comes again after the seek.
    if (first > next) return;
    const records: TailRecord[] = batch.messages.map((message) => ({
      offset: Number(message.offset),
      key: message.key?.toString('utf8'),
      value: message.value?.toString('utf8') ?? '',
      timestamp: Number(message.timestamp),
    }));
    this.buffer.add(partition, records, Number(batch.lastOffset()) + 1, this.now());
    for (const check of [...this.waiting]) check();
  }

  private stop(): void {
    this.stopped = true;
    this.positioned(new Error(`following ${this.topic} stopped`));
    for (const check of [...this.waiting]) check();
  }
}
