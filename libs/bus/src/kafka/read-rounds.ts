// Concurrent `readKey` calls of one topic, coalesced into rounds. A round takes every call waiting
// when it starts, snapshots the ends of the topic's partitions, reads the partitions those calls'
// keys hash to once (from their start, or from the offset of the earliest `sinceMs` asked of the
// partition, to the snapshot) and gives each call its key's records (from its own `sinceMs`).
// Calls made while a round runs cannot join it (the snapshot was taken before them, so it may miss
// records published before they were called): they start a round of their own on another lane
// (its own reader) when one is free, else wait for the next. The Kafka IO is injected
// (`ReadRoundsIO`, one per lane), so this is tested without a broker.
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

/** One record as read: its key decoded, its value as stored, its timestamp (epoch ms). */
export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  value: Uint8Array | string | null;
  timestamp: number;
}

/**
 * Lower bounds are looked up rounded down to this step, so that the calls of a round (a takeover
 * reads many worlds whose checkpoints are seconds apart) share a few lookups: a partition is read
 * from at most this much earlier, and each call still gets its records from its own bound.
 */
export const SINCE_LOOKUP_STEP_MS = 1_000;

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
   * For each of `partitions`, the offset of its first record stamped at or after `sinceMs`, or
   * (every record is older) an offset at or past its end (Kafka's ListOffsets by timestamp). A
   * partition missing from the answer is read from its start.
   */
  offsetsAt(sinceMs: number, partitions: readonly number[]): Promise<Map<number, number>>;
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
  /**
   * Rounds that may run at once, each on its own IO (made when first needed); default 1. A second
   * lane answers the calls that arrive while a round runs (a takeover's worlds whose checkpoints
   * came back later) without waiting for that round.
   */
  lanes?: number;
}

interface Call {
  key: string;
  /** The call's lower bound (undefined: from the partition's start). */
  sinceMs: number | undefined;
  settled: boolean;
  resolve(events: CloudEvent[]): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

interface Round {
  calls: Call[];
  abort: AbortController;
}

/** One reader and the round it runs, if any. */
interface Lane {
  io: ReadRoundsIO;
  current?: Round;
  running?: Promise<void>;
}

/** `readKey` of one topic: concurrent calls share rounds, each round reads each partition once. */
export class ReadRounds {
  private waiting: Call[] = [];
  private readonly lanes: Lane[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    readonly topic: string,
    /** Makes the IO of a lane. */
    private readonly newIO: () => ReadRoundsIO,
    private readonly options: ReadRoundsOptions,
  ) {}

  /**
   * Every record of `key` from the start of its partition (with `sinceMs`, from its first record
   * of the key stamped at or after then) to its end now, parsed; [] for no topic.
   */
  read(key: string, sinceMs?: number): Promise<CloudEvent[]> {
    if (this.closing) return Promise.reject(new BusClosedError('readKey'));
    return new Promise<CloudEvent[]>((resolve, reject) => {
      const call: Call = {
        key,
        sinceMs,
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

  /** Rejects every call not answered yet (`BusClosedError`), stops the rounds and closes the IO. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const error = new BusClosedError('readKey');
      const reading = this.lanes.flatMap((lane) => lane.current?.calls ?? []);
      for (const call of [...this.waiting, ...reading]) this.fail(call, error);
      this.waiting = [];
      await Promise.all(this.lanes.map((lane) => lane.io.close()));
      await Promise.all(this.lanes.map((lane) => lane.running));
    })();
    return this.closing;
  }

  private schedule(): void {
    if (this.closing || this.waiting.length === 0) return;
    const lane = this.freeLane();
    if (!lane) return;
    // After the calls made in the same turn of the event loop, so that they share the round.
    lane.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.round(lane))
      .finally(() => {
        lane.running = undefined;
        this.schedule();
      });
  }

  /** A lane without a round (a new one while there are fewer than `lanes`), or undefined. */
  private freeLane(): Lane | undefined {
    const idle = this.lanes.find((lane) => !lane.running);
    if (idle) return idle;
    if (this.lanes.length >= Math.max(1, this.options.lanes ?? 1)) return undefined;
    const lane: Lane = { io: this.newIO() };
    this.lanes.push(lane);
    return lane;
  }

  private async round(lane: Lane): Promise<void> {
    try {
      await lane.io.prepare();
    } catch (error) {
      for (const call of this.waiting.splice(0)) this.fail(call, error);
      return;
    }
    const calls = this.waiting.splice(0).filter((call) => !call.settled);
    if (calls.length === 0 || this.closing) return;
    const round: Round = { calls, abort: new AbortController() };
    lane.current = round;
    let results: Map<string, ReadRecord[]>;
    try {
      results = await this.readRound(lane.io, round);
    } catch (error) {
      for (const call of calls) this.fail(call, error);
      return;
    } finally {
      lane.current = undefined;
    }
    for (const call of calls) {
      if (!call.settled) this.answer(call, this.parsed(since(results.get(call.key), call.sinceMs)));
    }
  }

  /**
   * Each key's records (of its partition, in offset order, from the start the round read it
   * from); a key of an empty partition has none.
   */
  private async readRound(io: ReadRoundsIO, round: Round): Promise<Map<string, ReadRecord[]>> {
    const results = new Map<string, ReadRecord[]>();
    const bounds = await io.bounds();
    if (!bounds || bounds.length === 0) return results;
    const partitionOf = new Map<string, number>();
    /** Per partition to read: the earliest bound asked of it (undefined: from its start). */
    const earliest = new Map<number, number | undefined>();
    for (const { key, sinceMs } of round.calls) {
      let partition = partitionOf.get(key);
      if (partition === undefined) {
        partition = partitionForKey(key, bounds.length);
        partitionOf.set(key, partition);
        results.set(key, []);
      }
      const bound = bounds.find((b) => b.partition === partition);
      if (!bound || bound.high <= bound.low) continue;
      const lookup =
        sinceMs === undefined
          ? undefined
          : Math.floor(sinceMs / SINCE_LOOKUP_STEP_MS) * SINCE_LOOKUP_STEP_MS;
      const before = earliest.has(partition) ? earliest.get(partition) : lookup;
      earliest.set(
        partition,
        before === undefined || lookup === undefined ? undefined : Math.min(before, lookup),
      );
    }
    const starts = await this.starts(io, earliest);
    const ranges = new Map<number, ReadRange>();
    for (const partition of earliest.keys()) {
      const { low, high } = bounds.find((b) => b.partition === partition)!;
      const from = Math.min(Math.max(starts.get(partition) ?? low, low), high);
      if (from < high) ranges.set(partition, { partition, from, to: high });
    }
    if (ranges.size === 0) return results;
    await io.read(
      [...ranges.values()].sort((a, b) => a.partition - b.partition),
      (record) => {
        if (record.key === undefined || partitionOf.get(record.key) !== record.partition) return;
        results.get(record.key)!.push(record);
      },
      round.abort.signal,
    );
    return results;
  }

  /**
   * The offsets to read the partitions from: looked up for those with a bound (one lookup per
   * bound); those without, or whose lookup failed (logged), are read from their start.
   */
  private async starts(
    io: ReadRoundsIO,
    earliest: Map<number, number | undefined>,
  ): Promise<Map<number, number>> {
    const byBound = new Map<number, number[]>();
    for (const [partition, sinceMs] of earliest) {
      if (sinceMs !== undefined) byBound.set(sinceMs, [...(byBound.get(sinceMs) ?? []), partition]);
    }
    const starts = new Map<number, number>();
    await Promise.all(
      [...byBound].map(async ([sinceMs, partitions]) => {
        try {
          const offsets = await io.offsetsAt(sinceMs, partitions);
          for (const partition of partitions) {
            const offset = offsets.get(partition);
            if (offset !== undefined) starts.set(partition, offset);
          }
        } catch (error) {
          this.options.log('warn', 'could not look up offsets by time; reading from the start', {
            topic: this.topic,
            partitions,
            sinceMs,
            error: String(error),
          });
        }
      }),
    );
    return starts;
  }

  private parsed(records: ReadRecord[]): CloudEvent[] {
    const partition = records[0]?.partition ?? -1;
    return parseRecords(this.topic, partition, records, this.options.log);
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
    // Nobody waits for its round any more (timed out, closed): stop reading.
    const round = this.lanes.find((lane) => lane.current?.calls.includes(call))?.current;
    if (round?.calls.every((c) => c.settled)) round.abort.abort();
  }
}

/** Parses records of one partition; a record that is not a valid event is logged and skipped. */
export function parseRecords(
  topic: string,
  partition: number,
  records: ReadonlyArray<{ offset: string | number; value: Uint8Array | string | null }>,
  log: BusLog,
): CloudEvent[] {
  const events: CloudEvent[] = [];
  for (const record of records) {
    try {
      events.push(parseCloudEvent(record.value ?? ''));
    } catch (error) {
      log('error', 'skipped a record that is not a valid event', {
        topic,
        partition,
        offset: String(record.offset),
        error: String(error),
      });
    }
  }
  return events;
}

/**
 * A call's records from its first one stamped at or after `sinceMs` (all without a bound): the
 * round may have read the partition from earlier for another call, or from a rounded bound.
 */
function since(records: ReadRecord[] | undefined, sinceMs: number | undefined): ReadRecord[] {
  if (!records || sinceMs === undefined) return records ?? [];
  const first = records.findIndex((record) => record.timestamp >= sinceMs);
  return first < 0 ? [] : records.slice(first);
}
