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

export interface EventBus {
  /** Publishes events in order under one key (the world id); resolves when durably accepted. */
  publish(topic: string, key: string, events: CloudEvent[]): Promise<void>;
  /** Delivers messages to handler; the offset is committed only after the handler resolves. */
  subscribe(options: SubscribeOptions, handler: BusHandler): Promise<Subscription>;
  /**
   * Every retained event of `key` on `topic`, from the start of its partition to the end it
   * has when called, in order; [] for a topic that does not exist. For reading a log back (a
   * world's command log on restore); optional, as a bus may not be able to.
   */
  readKey?(topic: string, key: string): Promise<CloudEvent[]>;
  /** Flushes pending publishes and closes every subscription. */
  close(): Promise<void>;
}
