// KafkaKeyReader against a fake kafkajs consumer that pauses like kafkajs does (a whole-topic pause
// is forgotten at the next pause of one partition), so the reader's seek/pause bookkeeping is
// checked without a broker. The integration tests run it on testenv's Kafka.
import type { Admin, Kafka } from 'kafkajs';

import { KafkaKeyReader } from './read-key';
import type { ReadRange, ReadRecord } from './read-rounds';

const TOPIC = 't';
const GROUP_JOIN = 'consumer.group_join';
const CRASH = 'consumer.crash';

class FakeConsumer {
  readonly events = { GROUP_JOIN, CRASH };
  private readonly listeners = new Map<string, Array<(event: unknown) => void>>();
  private paused = new Set<number>();
  private pauseAll = false;
  private resumed = new Set<number>();
  seeks: string[] = [];
  disconnected = false;
  private eachBatch: ((payload: unknown) => Promise<void>) | undefined;

  constructor(private readonly partitions: number[]) {}

  on(name: string, listener: (event: unknown) => void): () => void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
    return () => undefined;
  }

  emit(name: string, payload: unknown): void {
    this.listeners.get(name)?.forEach((listener) => listener({ payload }));
  }

  join(): void {
    this.emit(GROUP_JOIN, { memberAssignment: { [TOPIC]: this.partitions } });
  }

  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(options: { eachBatch: (payload: unknown) => Promise<void> }): Promise<void> {
    this.eachBatch = options.eachBatch;
    this.join();
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  seek({ partition, offset }: { partition: number; offset: string }): void {
    this.seeks.push(`${partition}@${offset}`);
  }

  pause([{ partitions }]: Array<{ topic: string; partitions?: number[] }>): void {
    if (!partitions) {
      this.paused.clear();
      this.resumed.clear();
      this.pauseAll = true;
      return;
    }
    for (const p of partitions) {
      this.paused.add(p);
      this.resumed.delete(p);
    }
    this.pauseAll = false;
  }

  resume([{ partitions }]: Array<{ topic: string; partitions?: number[] }>): void {
    for (const p of partitions ?? []) {
      this.paused.delete(p);
      if (this.pauseAll) this.resumed.add(p);
    }
  }

  /** The partitions kafkajs would fetch. */
  active(): number[] {
    return this.partitions.filter(
      (p) => !((this.pauseAll && !this.resumed.has(p)) || this.paused.has(p)),
    );
  }

  /** One fetched batch of `partition`: records [offset, key]; `last` defaults to the last one. */
  async deliver(
    partition: number,
    records: Array<[number, string]>,
    options: { stale?: boolean; last?: number } = {},
  ): Promise<void> {
    const messages = records.map(([offset, key]) => ({
      offset: String(offset),
      key: Buffer.from(key),
      value: Buffer.from(`${key}@${offset}`),
      timestamp: String(1_000 + offset),
    }));
    const last = options.last ?? records[records.length - 1][0];
    await this.eachBatch!({
      batch: { partition, messages, lastOffset: () => String(last) },
      isStale: () => options.stale ?? false,
    });
  }
}

function setup(partitions = [0, 1, 2]) {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer(partitions);
      consumers.push(consumer);
      return consumer;
    },
  } as unknown as Kafka;
  const byTimestamp = jest.fn(async (_topic: string, _timestamp?: number) => [
    { partition: 0, offset: '5' },
    { partition: 1, offset: '-1' },
    { partition: 2, offset: '7' },
  ]);
  const admin = {
    listTopics: async () => [TOPIC],
    fetchTopicOffsets: async () => [],
    fetchTopicOffsetsByTimestamp: byTimestamp,
  } as unknown as Admin;
  const log = jest.fn();
  const reader = new KafkaKeyReader(
    { kafka, admin: async () => admin, log, joinTimeoutMs: 1_000 },
    TOPIC,
  );
  const got: string[] = [];
  const stamps: number[] = [];
  const onRecord = (record: ReadRecord) => {
    got.push(`${record.partition}:${record.offset}:${record.key}`);
    stamps.push(record.timestamp);
  };
  const read = (ranges: ReadRange[], signal = new AbortController().signal) =>
    reader.read(ranges, onRecord, signal);
  return { reader, consumers, got, stamps, read, log, byTimestamp };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('KafkaKeyReader', () => {
  it('joins with every partition paused, reads each range from its start to its end once, then pauses it again', async () => {
    const { reader, consumers, got, read } = setup();
    await reader.prepare();
    const [consumer] = consumers;
    expect(consumer.active()).toEqual([]);
    let done = false;
    const reading = read([
      { partition: 0, from: 2, to: 5 },
      { partition: 2, from: 0, to: 2 },
    ]).then(() => (done = true));
    await settled();
    expect(consumer.seeks).toEqual(['0@2', '2@0']);
    expect(consumer.active()).toEqual([0, 2]);
    await consumer.deliver(0, [
      [2, 'a'],
      [3, 'b'],
    ]);
    await consumer.deliver(2, [
      [0, 'c'],
      [1, 'd'],
      [2, 'after the end'],
    ]);
    expect(consumer.active()).toEqual([0]);
    await settled();
    expect(done).toBe(false);
    // A batch fetched before the seek, then the rest (a record after the end too).
    await consumer.deliver(0, [[9, 'stale']], { stale: true });
    await consumer.deliver(0, [
      [4, 'e'],
      [5, 'after the end'],
    ]);
    await reading;
    expect(got).toEqual(['0:2:a', '0:3:b', '2:0:c', '2:1:d', '0:4:e']);
    expect(consumer.active()).toEqual([]);
  });

  it('gives each record its timestamp', async () => {
    const { consumers, stamps, read } = setup();
    const reading = read([{ partition: 1, from: 3, to: 5 }]);
    await settled();
    await consumers[0].deliver(1, [
      [3, 'a'],
      [4, 'b'],
    ]);
    await reading;
    expect(stamps).toEqual([1_003, 1_004]);
  });

  it('looks up the offsets of a time for the partitions asked; a partition with nothing that recent is read from past its end', async () => {
    const { reader, byTimestamp } = setup();
    expect(await reader.offsetsAt(1_234, [0, 1])).toEqual(
      new Map([
        [0, 5],
        [1, Infinity],
      ]),
    );
    expect(byTimestamp).toHaveBeenCalledWith(TOPIC, 1_234);
  });

  it('skips what it saw already when a rejoin starts a partition over, and keeps the others paused', async () => {
    const { consumers, got, read } = setup();
    const reading = read([{ partition: 1, from: 0, to: 3 }]);
    await settled();
    const [consumer] = consumers;
    await consumer.deliver(1, [
      [0, 'a'],
      [1, 'b'],
    ]);
    consumer.join();
    expect(consumer.active()).toEqual([1]);
    await consumer.deliver(1, [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    await reading;
    expect(got).toEqual(['1:0:a', '1:1:b', '1:2:c']);
  });

  it('ends a partition whose last offsets hold no record (control records, compaction)', async () => {
    const { consumers, got, read } = setup();
    const reading = read([{ partition: 0, from: 0, to: 4 }]);
    await settled();
    await consumers[0].deliver(0, [[1, 'a']], { last: 3 });
    await reading;
    expect(got).toEqual(['0:1:a']);
  });

  it('pauses a partition it is not reading if a batch of it comes anyway', async () => {
    const { consumers, read } = setup();
    const reading = read([{ partition: 0, from: 0, to: 1 }]);
    await settled();
    const [consumer] = consumers;
    consumer.resume([{ topic: TOPIC, partitions: [2] }]);
    await consumer.deliver(2, [[0, 'x']]);
    expect(consumer.active()).toEqual([0]);
    await consumer.deliver(0, [[0, 'a']]);
    await reading;
  });

  it('rejects a read the consumer crashed in, and reads the next time with a new consumer', async () => {
    const { consumers, got, read, log } = setup();
    const reading = read([{ partition: 0, from: 0, to: 2 }]);
    await settled();
    consumers[0].emit(CRASH, { error: new Error('broker gone'), restart: false });
    await expect(reading).rejects.toThrow('broker gone');
    expect(consumers[0].disconnected).toBe(true);
    expect(log).toHaveBeenCalledWith(
      'warn',
      'the readKey consumer crashed; the next read starts another',
      expect.objectContaining({ error: 'broker gone' }),
    );
    const again = read([{ partition: 0, from: 0, to: 1 }]);
    await settled();
    expect(consumers).toHaveLength(2);
    await consumers[1].deliver(0, [[0, 'a']]);
    await again;
    expect(got).toEqual(['0:0:a']);
  });

  it('stops an abandoned read and drops its consumer; close disconnects', async () => {
    const { reader, consumers, read } = setup();
    const abort = new AbortController();
    const reading = read([{ partition: 0, from: 0, to: 2 }], abort.signal);
    await settled();
    abort.abort();
    await expect(reading).rejects.toThrow('abandoned');
    expect(consumers[0].disconnected).toBe(true);
    await reader.prepare();
    expect(consumers).toHaveLength(2);
    await reader.close();
    expect(consumers[1].disconnected).toBe(true);
    await expect(reader.prepare()).rejects.toThrow('closed');
  });

  it('starts a new consumer when the topic has partitions the current one was not given', async () => {
    const { reader, consumers, read } = setup([0, 1]);
    await reader.prepare();
    await expect(read([{ partition: 5, from: 0, to: 1 }])).rejects.toThrow(
      'was not given every partition',
    );
    expect(consumers).toHaveLength(2);
    expect(consumers[0].disconnected).toBe(true);
  });
});
