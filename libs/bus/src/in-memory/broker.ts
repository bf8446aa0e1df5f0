// The shared state of the in-memory bus, playing the role of a Kafka cluster: an append-only log
// per topic partition and the committed offsets of every consumer group. Several InMemoryBus
// clients may share one broker, as several processes share one Kafka cluster.
import { InvalidBusArgumentError } from '../errors';
import { partitionForKey } from '../partitioner';
import { Signal } from './signal';
import { TopicGroup } from './topic-group';

/** One stored record: the key and the event as the JSON text a Kafka record would carry. */
export interface StoredRecord {
  key: string;
  value: string;
}

/** Records kept per partition unless configured otherwise (at 30 ticks/s, minutes per world). */
export const DEFAULT_RETENTION_RECORDS = 10_000;

/**
 * The partitions of one topic and a signal notified on every append. Like Kafka's size-based
 * retention, the oldest records of a partition are dropped past `retentionRecords`; offsets keep
 * counting, and a group that fell behind the log start resumes at the oldest kept record.
 */
export class TopicLog {
  private readonly records: StoredRecord[][];
  private readonly starts: number[];
  readonly appended = new Signal();

  constructor(
    readonly name: string,
    partitionCount: number,
    private readonly retentionRecords = DEFAULT_RETENTION_RECORDS,
  ) {
    this.records = Array.from({ length: partitionCount }, () => []);
    this.starts = this.records.map(() => 0);
  }

  get partitionCount(): number {
    return this.records.length;
  }

  append(key: string, values: readonly string[]): number {
    const partition = partitionForKey(key, this.records.length);
    const records = this.records[partition];
    for (const value of values) records.push({ key, value });
    // Trim in chunks so that appends stay amortised O(1).
    const excess = records.length - this.retentionRecords;
    if (excess > Math.max(1, this.retentionRecords / 10)) {
      records.splice(0, excess);
      this.starts[partition] += excess;
    }
    this.appended.notify();
    return partition;
  }

  /** The record at `offset`, or undefined past the end (or before the log start). */
  read(partition: number, offset: number): StoredRecord | undefined {
    return this.records[partition][offset - this.starts[partition]];
  }

  /** Offset of the oldest record still kept. */
  startOffset(partition: number): number {
    return this.starts[partition];
  }

  /** Offset after the last record. */
  endOffset(partition: number): number {
    return this.starts[partition] + this.records[partition].length;
  }
}

/** Logs and consumer-group offsets shared by the `InMemoryBus` clients created with it. */
export class InMemoryBroker {
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, TopicGroup>();

  /**
   * @param partitions partitions of every topic (keys are hashed onto them as Kafka does).
   * @param retentionRecords records kept per partition; older ones are dropped.
   */
  constructor(
    readonly partitions = 6,
    readonly retentionRecords = DEFAULT_RETENTION_RECORDS,
  ) {
    if (!Number.isSafeInteger(partitions) || partitions < 1) {
      throw new InvalidBusArgumentError(`partitions must be a positive integer, got ${partitions}`);
    }
    if (!Number.isSafeInteger(retentionRecords) || retentionRecords < 1) {
      throw new InvalidBusArgumentError(
        `retentionRecords must be a positive integer, got ${retentionRecords}`,
      );
    }
  }

  /** The log of `topic`, created on first use (like Kafka's topic auto-creation). */
  topic(name: string): TopicLog {
    let log = this.topics.get(name);
    if (!log) {
      log = new TopicLog(name, this.partitions, this.retentionRecords);
      this.topics.set(name, log);
    }
    return log;
  }

  /** The state of `group` on `topic`; created with offsets at the start or the end of each partition. */
  group(group: string, topic: string, fromBeginning: boolean): TopicGroup {
    const id = `${group}\u0000${topic}`;
    let state = this.groups.get(id);
    if (!state) {
      state = new TopicGroup(this.topic(topic), fromBeginning);
      this.groups.set(id, state);
    }
    return state;
  }

  /** Offsets after the last record of each partition of `topic`. */
  endOffsets(topic: string): number[] {
    const log = this.topic(topic);
    return Array.from({ length: log.partitionCount }, (_, partition) => log.endOffset(partition));
  }

  /** The next offset `group` will handle in each partition of `topic` (undefined: never subscribed). */
  committedOffsets(group: string, topic: string): number[] | undefined {
    return this.groups.get(`${group}\u0000${topic}`)?.committedOffsets();
  }
}
