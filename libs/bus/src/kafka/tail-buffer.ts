// The recent records of a topic's partitions, kept in memory by a consumer that follows the topic
// (see key-tail.ts), so that a `readKey` with a recent `sinceMs` is answered without reading the
// partition back from Kafka. Pure: the consumer feeds it, the tests drive it by hand.

/** How much a tail keeps: records younger than `retainMs` (by their stamps), at most `maxBytes`. */
export interface TailLimits {
  retainMs: number;
  maxBytes: number;
}

/** A kept record: its key and value decoded, its stamp (epoch ms). */
export interface TailRecord {
  offset: number;
  key: string | undefined;
  value: string;
  timestamp: number;
}

interface PartitionTail {
  records: TailRecord[];
  /** Index of the first record still kept (records before it are dropped in bulk). */
  head: number;
  /** The offset the next record will have: every record from the kept ones' start to it is kept. */
  next: number;
  /**
   * Every record before the kept ones is stamped before this: a `sinceMs` at or after it finds
   * its first record among the kept ones (Kafka's lookup by time gives the first offset stamped
   * at or after a time, so all records before that offset are stamped earlier).
   */
  coversFromMs: number;
}

/** Bytes a record costs beyond its key and value (offset, stamp, array slot). */
const RECORD_OVERHEAD = 48;

/** The recent records of a topic's partitions, each partition from an offset found by time on. */
export class TailBuffer {
  private readonly partitions = new Map<number, PartitionTail>();
  private bytes = 0;

  constructor(private readonly limits: TailLimits) {}

  /**
   * Starts (or restarts) a partition at `from`, the offset Kafka found for `coversFromMs`: every
   * record before it is stamped earlier.
   */
  start(partition: number, from: number, coversFromMs: number): void {
    this.drop(partition);
    this.partitions.set(partition, { records: [], head: 0, next: from, coversFromMs });
  }

  /** Forgets a partition (no longer followed); reads of it are not covered until it starts again. */
  drop(partition: number): void {
    const tail = this.partitions.get(partition);
    if (!tail) return;
    for (let i = tail.head; i < tail.records.length; i++) this.bytes -= size(tail.records[i]);
    this.partitions.delete(partition);
  }

  /**
   * Keeps the records of a fetched batch that come next (those before `next` were seen already),
   * moves the partition's position past the batch (`nextOffset`: after its last offset, control
   * records included), then drops what is older than `retainMs` before `now` or over `maxBytes`.
   */
  add(partition: number, records: readonly TailRecord[], nextOffset: number, now: number): void {
    const tail = this.partitions.get(partition);
    if (!tail) return;
    for (const record of records) {
      if (record.offset < tail.next) continue;
      tail.records.push(record);
      tail.next = record.offset + 1;
      this.bytes += size(record);
    }
    tail.next = Math.max(tail.next, nextOffset);
    this.trim(now);
  }

  /** The offset the partition's next record will have, or undefined when it is not followed. */
  position(partition: number): number | undefined {
    return this.partitions.get(partition)?.next;
  }

  /** Whether every record of the partition stamped at or after `sinceMs` is kept (or to come). */
  covers(partition: number, sinceMs: number): boolean {
    const tail = this.partitions.get(partition);
    return tail !== undefined && sinceMs >= tail.coversFromMs;
  }

  /**
   * `key`'s records of the partition before offset `to`, from its first one stamped at or after
   * `sinceMs` (what a read of the partition from Kafka's offset for that time gives); callers
   * check `covers` first.
   */
  read(partition: number, key: string, sinceMs: number, to: number): TailRecord[] {
    const tail = this.partitions.get(partition);
    if (!tail) return [];
    const found: TailRecord[] = [];
    for (let i = tail.head; i < tail.records.length; i++) {
      const record = tail.records[i];
      if (record.offset >= to) break;
      if (record.key !== key || (found.length === 0 && record.timestamp < sinceMs)) continue;
      found.push(record);
    }
    return found;
  }

  /** Bytes kept (keys, values and overhead). */
  get size(): number {
    return this.bytes;
  }

  private trim(now: number): void {
    const oldest = now - this.limits.retainMs;
    for (const tail of this.partitions.values()) {
      while (tail.head < tail.records.length && tail.records[tail.head].timestamp < oldest)
        this.dropHead(tail);
    }
    // Over the byte limit: the oldest record of all partitions goes first.
    while (this.bytes > this.limits.maxBytes) {
      let oldestTail: PartitionTail | undefined;
      for (const tail of this.partitions.values()) {
        if (tail.head >= tail.records.length) continue;
        if (!oldestTail || stampOfHead(tail) < stampOfHead(oldestTail)) oldestTail = tail;
      }
      if (!oldestTail) break;
      this.dropHead(oldestTail);
    }
    for (const tail of this.partitions.values()) {
      // Compacts once the dropped records are most of the array.
      if (tail.head > 1024 && tail.head * 2 > tail.records.length) {
        tail.records = tail.records.slice(tail.head);
        tail.head = 0;
      }
    }
  }

  /** Drops a partition's oldest kept record: reads from before its stamp are no longer covered. */
  private dropHead(tail: PartitionTail): void {
    const record = tail.records[tail.head];
    tail.head += 1;
    this.bytes -= size(record);
    tail.coversFromMs = Math.max(tail.coversFromMs, record.timestamp + 1);
  }
}

function size(record: TailRecord): number {
  return record.value.length + (record.key?.length ?? 0) + RECORD_OVERHEAD;
}

function stampOfHead(tail: PartitionTail): number {
  return tail.records[tail.head].timestamp;
}
