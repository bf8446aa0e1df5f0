// The embedded-mode bus: Kafka's semantics (per-key order, consumer groups, commit after handle,
// redelivery on failure) in one process, with no broker to run.
import { validatePublish, validateReadKey, validateSubscribe } from '../arguments';
import { BusClosedError } from '../errors';
import type {
  BusHandler,
  BusMessage,
  CloudEvent,
  EventBus,
  ReadKeyOptions,
  SubscribeOptions,
  Subscription,
} from '../event-bus';
import { parseCloudEvent } from '../cloud-event';
import { partitionForKey } from '../partitioner';
import { startPublishSpans } from '../tracing/publish-spans';
import { redeliveryBackoff } from '../redelivery';
import { InMemoryBroker } from './broker';
import type { GroupMember } from './topic-group';

/** Options of `InMemoryBus`. */
export interface InMemoryBusOptions {
  /** Share logs and group offsets with other clients (a restarted consumer is a new client). */
  broker?: InMemoryBroker;
  /** Partitions per topic when the bus creates its own broker (default 6). */
  partitions?: number;
  /** Records kept per partition when the bus creates its own broker (default 10,000). */
  retentionRecords?: number;
  /** Bytes kept per partition when the bus creates its own broker (default 8 MiB). */
  retentionBytes?: number;
  /** Delay before the first redelivery after a handler failure, doubled per retry (default 100 ms). */
  redeliveryDelayMs?: number;
  /** Upper bound of the redelivery delay (default 5,000 ms). */
  maxRedeliveryDelayMs?: number;
  /** Told about every handler failure (default: nothing; the message is redelivered either way). */
  onHandlerError?: (error: unknown, message: BusMessage, attempt: number) => void;
}

/**
 * An `EventBus` in memory. Keys hash onto a fixed number of partitions as in Kafka; each consumer
 * group has its own committed offsets; a failed handler gets the same message again after a delay,
 * and later messages of that partition wait, so per-key order holds.
 */
export class InMemoryBus implements EventBus {
  /** The logs and offsets this client reads and writes. */
  readonly broker: InMemoryBroker;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private readonly member: Omit<GroupMember, 'handler'>;

  constructor(options: InMemoryBusOptions = {}) {
    this.broker =
      options.broker ??
      new InMemoryBroker(options.partitions, options.retentionRecords, options.retentionBytes);
    const base = Math.max(0, options.redeliveryDelayMs ?? 100);
    const max = Math.max(base, options.maxRedeliveryDelayMs ?? 5_000);
    this.member = {
      redeliveryDelay: redeliveryBackoff(base, max),
      onHandlerError: options.onHandlerError ?? (() => undefined),
    };
  }

  /** Appends the events, in order, to the partition of `key`; rejects with `InvalidEventError` first if one is invalid. */
  async publish(topic: string, key: string, events: CloudEvent[]): Promise<void> {
    if (this.closed) throw new BusClosedError('publish');
    const spans = startPublishSpans('memory', topic, key, events);
    try {
      const values = validatePublish(topic, key, spans.events);
      if (values.length > 0) this.broker.topic(topic).append(key, values);
      spans.end();
    } catch (error) {
      spans.end(error);
      throw error;
    }
  }

  /**
   * Every retained event of `key` on `topic`, oldest first (records that do not parse are
   * skipped); with `sinceMs`, from its first record appended at or after then.
   */
  async readKey(topic: string, key: string, options?: ReadKeyOptions): Promise<CloudEvent[]> {
    if (this.closed) throw new BusClosedError('readKey');
    const sinceMs = validateReadKey(topic, options) ?? -Infinity;
    const log = this.broker.topic(topic);
    const partition = partitionForKey(key, log.partitionCount);
    const events: CloudEvent[] = [];
    let reached = false;
    for (let offset = log.startOffset(partition); offset < log.endOffset(partition); offset++) {
      const record = log.read(partition, offset)!;
      if (record.key !== key) continue;
      // Older records before the first recent one are left out, as Kafka's lookup does.
      if (!reached && record.timestamp < sinceMs) continue;
      reached = true;
      try {
        events.push(parseCloudEvent(record.value));
      } catch {
        // validated when published; nothing else writes the in-memory log
      }
    }
    return events;
  }

  /** Joins `group` on `topic`; resolves once the member is assigned partitions. */
  async subscribe(options: SubscribeOptions, handler: BusHandler): Promise<Subscription> {
    if (this.closed) throw new BusClosedError('subscribe');
    validateSubscribe(options, handler);
    const group = this.broker.group(options.group, options.topic, options.fromBeginning ?? false);
    const member: GroupMember = { ...this.member, handler };
    await group.join(member);
    let closing: Promise<void> | undefined;
    const subscription: Subscription = {
      close: () => {
        closing ??= group.leave(member).finally(() => this.subscriptions.delete(subscription));
        return closing;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Refuses further calls and closes every subscription (waiting for in-flight handlers). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }
}
