// Concurrent `readKey` calls of one topic, coalesced into rounds. A round takes every call waiting
// when it starts, snapshots the ends of the topic's partitions, reads the partitions those calls'
// keys hash to once (from their start to the snapshot) and gives each call its key's records.
// Calls made while a round runs wait for the next one: the snapshot was taken before them, so it
// may miss records published before they were called. The Kafka IO is injected (`ReadRoundsIO`),
// so this is tested without a broker.
import { parseCloudEvent } from '../cloud-event';
import { BusClosedError, BusTimeoutError } from '../errors';
import type { CloudEvent } from '../event-bus';
import { partitionForKey } from '../partitioner';
import type { BusLog } from './kafka-config';

/** A partition's first and next offset (`high` = the offset the next record will get). */
export interface PartitionBounds {
  partition: number;
  low: number;
  high: number;
}

/** Read `partition` from offset `from` up to, not including, `to`. */
export interface ReadRange {
  partition: number;
  from: number;
  to: number;
}

/** One record as read: its key decoded, its value as stored. */
export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  value: Uint8Array | string | null;
}

/** What rounds need from Kafka: one topic's bounds, and reading ranges of its partitions. */
export interface ReadRoundsIO {
  /**
   * Gets ready to read (connects, joins a group), so that the calls made meanwhile still join the
   * round about to start. Nothing to do when the topic does not exist.
   */
  prepare(): Promise<void>;
  /** Every partition's bounds now (one entry per partition); undefined when there is no topic. */
  bounds(): Promise<PartitionBounds[] | undefined>;
  /**
   * Calls `onRecord` for every record of each range, once, in offset order per partition, then
   * resolves. Rejects (and stops) when `signal` aborts: nobody waits for the round any more.
   */
  read(
    ranges: readonly ReadRange[],
    onRecord: (record: ReadRecord) => void,
    signal: AbortSignal,
  ): Promise<void>;
  close(): Promise<void>;
}

export interface ReadRoundsOptions {
  /** A call rejects (`BusTimeoutError`) this long after it was made. */
  timeoutMs: number;
  log: BusLog;
}

interface Call {
  key: string;
  settled: boolean;
  resolve(events: CloudEvent[]): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

interface Round {
  calls: Call[];
  abort: AbortController;
}

/** `readKey` of one topic: concurrent calls share rounds, each round reads each partition once. */
export class ReadRounds {
  private waiting: Call[] = [];
  private current: Round | undefined;
  private running: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly topic: string,
    private readonly io: ReadRoundsIO,
    private readonly options: ReadRoundsOptions,
  ) {}

  /** Every record of `key` from the start of its partition to its end now, parsed; [] for no topic. */
  read(key: string): Promise<CloudEvent[]> {
    if (this.closing) return Promise.reject(new BusClosedError('readKey'));
    return new Promise<CloudEvent[]>((resolve, reject) => {
      const call: Call = {
        key,
        settled: false,
        resolve,
        reject,
        timer: setTimeout(() => {
          const ms = this.options.timeoutMs;
          this.fail(call, new BusTimeoutError(`reading ${this.topic} back took over ${ms} ms`));
        }, this.options.timeoutMs),
      };
      this.waiting.push(call);
      this.schedule();
    });
  }

  /** Rejects every call not answered yet (`BusClosedError`), stops the round and closes the IO. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const error = new BusClosedError('readKey');
      for (const call of [...this.waiting, ...(this.current?.calls ?? [])]) this.fail(call, error);
      this.waiting = [];
      await this.io.close();
      await this.running;
    })();
    return this.closing;
  }

  private schedule(): void {
    if (this.running || this.closing || this.waiting.length === 0) return;
    // After the calls made in the same turn of the event loop, so that they share the round.
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.round())
      .finally(() => {
        this.running = undefined;
        this.schedule();
      });
  }

  private async round(): Promise<void> {
    try {
      await this.io.prepare();
    } catch (error) {
      for (const call of this.waiting.splice(0)) this.fail(call, error);
      return;
    }
    const calls = this.waiting.splice(0).filter((call) => !call.settled);
    if (calls.length === 0 || this.closing) return;
    const round: Round = { calls, abort: new AbortController() };
    this.current = round;
    let results: Map<string, ReadRecord[]>;
    try {
      results = await this.readRound(round);
    } catch (error) {
      for (const call of calls) this.fail(call, error);
      return;
    } finally {
      this.current = undefined;
    }
    for (const call of calls) {
      if (!call.settled) this.answer(call, this.parse(results.get(call.key)));
    }
  }

  /** Each key's records (of its partition, in offset order); a key of an empty partition has none. */
  private async readRound(round: Round): Promise<Map<string, ReadRecord[]>> {
    const results = new Map<string, ReadRecord[]>();
    const bounds = await this.io.bounds();
    if (!bounds || bounds.length === 0) return results;
    const partitionOf = new Map<string, number>();
    const ranges = new Map<number, ReadRange>();
    for (const { key } of round.calls) {
      if (partitionOf.has(key)) continue;
      const partition = partitionForKey(key, bounds.length);
      partitionOf.set(key, partition);
      results.set(key, []);
      const bound = bounds.find((b) => b.partition === partition);
      if (bound && bound.high > bound.low)
        ranges.set(partition, { partition, from: bound.low, to: bound.high });
    }
    if (ranges.size === 0) return results;
    await this.io.read(
      [...ranges.values()].sort((a, b) => a.partition - b.partition),
      (record) => {
        if (record.key === undefined || partitionOf.get(record.key) !== record.partition) return;
        results.get(record.key)!.push(record);
      },
      round.abort.signal,
    );
    return results;
  }

  /** Parses one call's records; a record that is not a valid event is logged and skipped. */
  private parse(records: ReadRecord[] = []): CloudEvent[] {
    const events: CloudEvent[] = [];
    for (const record of records) {
      try {
        events.push(parseCloudEvent(record.value ?? ''));
      } catch (error) {
        this.options.log('error', 'skipped a record that is not a valid event', {
          topic: this.topic,
          partition: record.partition,
          offset: record.offset,
          error: String(error),
        });
      }
    }
    return events;
  }

  private answer(call: Call, events: CloudEvent[]): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    call.resolve(events);
  }

  private fail(call: Call, error: unknown): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    call.reject(error);
    // Nobody waits for the current round any more (timed out, closed): stop reading.
    const round = this.current;
    if (round?.calls.every((c) => c.settled)) round.abort.abort();
  }
}
