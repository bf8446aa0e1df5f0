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
  /** When it was appended (epoch ms): its Kafka record timestamp. */
  timestamp: number;
}

/** Records kept per partition unless configured otherwise (at 30 ticks/s, minutes per world). */
export const DEFAULT_RETENTION_RECORDS = 10_000;
/**
 * Bytes (of keys and JSON values) kept per partition unless configured otherwise. Big deltas
 * (thousands of bodies) reach it long before the record count, so memory stays bounded.
 */
export const DEFAULT_RETENTION_BYTES = 8 * 1024 * 1024;

/** How much of a partition is kept. */
export interface Retention {
  /** Records kept per partition. */
  records: number;
  /** Bytes kept per partition (UTF-8 of key and value); the newest record is always kept. */
  bytes: number;
}

const recordBytes = (key: string, value: string) =>
  Buffer.byteLength(key) + Buffer.byteLength(value);

/**
 * The partitions of one topic and a signal notified on every append. Like Kafka's size-based
 * retention, the oldest records of a partition are dropped past `retention` (records or bytes);
 * offsets keep counting, and a group that fell behind the log start resumes at the oldest kept
 * record.
 */
export class TopicLog {
  private readonly records: StoredRecord[][];
  private readonly starts: number[];
  private readonly bytes: number[];
  readonly appended = new Signal();

  constructor(
    readonly name: string,
    partitionCount: number,
    private readonly retention: Retention = {
      records: DEFAULT_RETENTION_RECORDS,
      bytes: DEFAULT_RETENTION_BYTES,
    },
  ) {
    this.records = Array.from({ length: partitionCount }, () => []);
    this.starts = this.records.map(() => 0);
    this.bytes = this.records.map(() => 0);
  }

  get partitionCount(): number {
    return this.records.length;
  }

  append(key: string, values: readonly string[]): number {
    const partition = partitionForKey(key, this.records.length);
    const records = this.records[partition];
    const timestamp = Date.now();
    for (const value of values) {
      records.push({ key, value, timestamp });
      this.bytes[partition] += recordBytes(key, value);
    }
    this.trim(partition);
    this.appended.notify();
    return partition;
  }

  /** Records and bytes kept in a partition now. */
  size(partition: number): { records: number; bytes: number } {
    return { records: this.records[partition].length, bytes: this.bytes[partition] };
  }

  /**
   * Drops the oldest records past either bound, in chunks (down to 90% of the bound) so that
   * appends stay amortised O(1); the newest record always stays.
   */
  private trim(partition: number): void {
    const records = this.records[partition];
    const { records: maxRecords, bytes: maxBytes } = this.retention;
    const overCount = records.length > maxRecords + Math.max(1, maxRecords / 10);
    const overBytes = this.bytes[partition] > maxBytes;
    if (!overCount && !overBytes) return;
    let drop = overCount ? records.length - maxRecords : 0;
    let bytes = this.bytes[partition];
    for (let i = 0; i < drop; i++) bytes -= recordBytes(records[i].key, records[i].value);
    const targetBytes = overBytes ? Math.floor(maxBytes * 0.9) : maxBytes;
    while (bytes > targetBytes && drop < records.length - 1) {
      bytes -= recordBytes(records[drop].key, records[drop].value);
      drop++;
    }
    records.splice(0, drop);
    this.starts[partition] += drop;
    this.bytes[partition] = bytes;
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
   * @param retentionBytes bytes kept per partition; older records are dropped.
   */
  constructor(
    readonly partitions = 6,
    readonly retentionRecords = DEFAULT_RETENTION_RECORDS,
    readonly retentionBytes = DEFAULT_RETENTION_BYTES,
  ) {
    for (const [name, value] of Object.entries({ partitions, retentionRecords, retentionBytes })) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new InvalidBusArgumentError(`${name} must be a positive integer, got ${value}`);
      }
    }
  }

  /** The log of `topic`, created on first use (like Kafka's topic auto-creation). */
  topic(name: string): TopicLog {
    let log = this.topics.get(name);
    if (!log) {
      log = new TopicLog(name, this.partitions, {
        records: this.retentionRecords,
        bytes: this.retentionBytes,
      });
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
