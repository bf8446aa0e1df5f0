// Coalesces publish calls into produce requests ("group commit"): while one request is in flight,
// later calls queue up and go out together in the next one. There is never more than one request
// in flight, so records leave in call order and per-key order holds across calls.

/** One record to produce. */
export interface QueuedRecord {
  topic: string;
  key: string;
  value: string;
}

interface Item {
  records: QueuedRecord[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Per-record overhead added to key and value when sizing a request (headers, offsets, lengths). */
const RECORD_OVERHEAD = 64;

/** Queues records and sends them, in order, through `send`, at most `maxBatchBytes` per call. */
export class PublishQueue {
  private readonly items: Item[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly send: (records: QueuedRecord[]) => Promise<void>,
    private readonly maxBatchBytes: number,
  ) {}

  /** Resolves when every record was sent; a call larger than `maxBatchBytes` is split into several requests. */
  enqueue(topic: string, key: string, values: readonly string[]): Promise<void> {
    const parts: Promise<void>[] = [];
    let records: QueuedRecord[] = [];
    let bytes = 0;
    const keyBytes = Buffer.byteLength(key);
    for (const value of values) {
      const size = keyBytes + Buffer.byteLength(value) + RECORD_OVERHEAD;
      if (records.length > 0 && bytes + size > this.maxBatchBytes) {
        parts.push(this.push(records, bytes));
        records = [];
        bytes = 0;
      }
      records.push({ topic, key, value });
      bytes += size;
    }
    if (records.length > 0) parts.push(this.push(records, bytes));
    this.flushing ??= this.flush();
    return Promise.all(parts).then(() => undefined);
  }

  /** Resolves once everything queued so far (and queued meanwhile) has been sent or has failed. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private push(records: QueuedRecord[], bytes: number): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.items.push({ records, bytes, resolve, reject }),
    );
  }

  private async flush(): Promise<void> {
    // Let the calls made in the same turn of the event loop join the first request.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.items.length > 0) {
      const batch = this.take();
      try {
        await this.send(batch.flatMap((item) => item.records));
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    // Cleared in the same synchronous step that saw the queue empty, so no item is stranded.
    this.flushing = undefined;
  }

  private take(): Item[] {
    let bytes = this.items[0].bytes;
    let count = 1;
    while (count < this.items.length && bytes + this.items[count].bytes <= this.maxBatchBytes) {
      bytes += this.items[count].bytes;
      count += 1;
    }
    return this.items.splice(0, count);
  }
}
