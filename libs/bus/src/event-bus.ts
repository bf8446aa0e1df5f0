/**
 * The event backbone as an interface (docs/events.md, docs/decisions.md "Bus"). Implementations: InMemoryBus (root
 * entry point) and KafkaBus (the `@anvil/bus/kafka` entry point, so domain code and unit
 * tests never load kafkajs).
 */

/** A CloudEvents 1.0 event in structured JSON mode; `subject` is the world id. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** Extension attribute: the simulation tick the event belongs to. */
  tick: number;
  data: T;
  /**
   * Distributed-tracing extension (W3C Trace Context): the span that published the event, so
   * a consumer continues its trace. Absent when no trace covers the event.
   */
  traceparent?: string;
  tracestate?: string;
}

/** A message as delivered to a subscriber. */
export interface BusMessage<T = unknown> {
  topic: string;
  key: string;
  event: CloudEvent<T>;
  partition?: number;
  offset?: string;
}

/**
 * Handles one message; rejecting means "deliver it again". Calls for one partition (so for one
 * key) never overlap; calls for different partitions may run concurrently.
 */
export type BusHandler = (message: BusMessage) => Promise<void>;

export interface SubscribeOptions {
  topic: string;
  /** Consumer group: each group gets every message once; members of a group share partitions. */
  group: string;
  /** Start from the earliest retained message when the group has no committed offset. */
  fromBeginning?: boolean;
}

/** A running subscription; `close` stops delivery after in-flight handlers finish. */
export interface Subscription {
  close(): Promise<void>;
}

/** Options of `EventBus.readKey`. */
export interface ReadKeyOptions {
  /**
   * A lower bound, in epoch milliseconds: records stamped before it may be left out (a record's
   * stamp: on Kafka its timestamp, by default when its producer sent it; in memory, when it was
   * appended). Nothing stamped at or after it is left out, and what is left out comes before
   * everything returned: the answer is the key's records from some point of the partition on
   * (at the latest its first record stamped at or after `sinceMs`) to its end. So the caller
   * gets every record since `sinceMs` and must expect older ones too; when none is that recent
   * the answer may be []. Absent, 0 or negative: from the start of the partition.
   */
  sinceMs?: number;
}

/** Options of `EventBus.followKeys`. */
export interface FollowKeysOptions {
  /** How far back (by the records' stamps) the records are held. */
  retainMs: number;
  /** At most this many bytes are held (the oldest go first); default 64 MiB. */
  maxBytes?: number;
}

export interface EventBus {
  /** Publishes events in order under one key (the world id); resolves when durably accepted. */
  publish(topic: string, key: string, events: CloudEvent[]): Promise<void>;
  /** Delivers messages to handler; the offset is committed only after the handler resolves. */
  subscribe(options: SubscribeOptions, handler: BusHandler): Promise<Subscription>;
  /**
   * Every retained event of `key` on `topic`, from the start of its partition (or, with
   * `sinceMs`, from about then: see `ReadKeyOptions`) to the end it has when called, in order;
   * records that are not valid events are skipped (and logged); [] for a topic that does not
   * exist. For reading a log back (a world's command log on restore); optional, as a bus may
   * not be able to.
   */
  readKey?(topic: string, key: string, options?: ReadKeyOptions): Promise<CloudEvent[]>;
  /**
   * Keeps reading `topic` and holds its recent records in memory, so that a `readKey` whose
   * `sinceMs` falls within them answers from there once the reader has caught up with the
   * partition's end (a takeover's log read), instead of reading the partition back; other calls
   * read as before. Resolves once following started. Optional: a bus that reads back from
   * memory anyway has no use for it.
   */
  followKeys?(topic: string, options: FollowKeysOptions): Promise<void>;
  /**
   * Connects the publishing side now rather than at the first publish (an engine replica that
   * just started, so that the first deltas of the worlds it takes do not wait for it). Optional:
   * a bus in memory has nothing to connect.
   */
  connect?(): Promise<void>;
  /** Flushes pending publishes and closes every subscription. */
  close(): Promise<void>;
}
