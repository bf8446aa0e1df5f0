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

/** The partitions of one topic and a signal notified on every append. */
export class TopicLog {
  readonly partitions: StoredRecord[][];
  readonly appended = new Signal();

  constructor(
    readonly name: string,
    partitionCount: number,
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => []);
  }

  append(key: string, values: readonly string[]): number {
    const partition = partitionForKey(key, this.partitions.length);
    for (const value of values) this.partitions[partition].push({ key, value });
    this.appended.notify();
    return partition;
  }
}

/** Logs and consumer-group offsets shared by the `InMemoryBus` clients created with it. */
export class InMemoryBroker {
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, TopicGroup>();

  /** @param partitions partitions of every topic (keys are hashed onto them as Kafka does). */
  constructor(readonly partitions = 6) {
    if (!Number.isSafeInteger(partitions) || partitions < 1) {
      throw new InvalidBusArgumentError(`partitions must be a positive integer, got ${partitions}`);
    }
  }

  /** The log of `topic`, created on first use (like Kafka's topic auto-creation). */
  topic(name: string): TopicLog {
    let log = this.topics.get(name);
    if (!log) {
      log = new TopicLog(name, this.partitions);
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
    return this.topic(topic).partitions.map((records) => records.length);
  }

  /** The next offset `group` will handle in each partition of `topic` (undefined: never subscribed). */
  committedOffsets(group: string, topic: string): number[] | undefined {
    return this.groups.get(`${group}\u0000${topic}`)?.committedOffsets();
  }
}
