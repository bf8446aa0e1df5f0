import fc from 'fast-check';
import { InvalidBusArgumentError } from '../errors';
import { InMemoryBroker, TopicLog } from './broker';

describe('TopicLog retention', () => {
  it('drops the oldest records past the byte bound, keeping offsets and the newest record', () => {
    const log = new TopicLog('t', 1, { records: 1_000, bytes: 1_000 });
    const value = 'x'.repeat(99); // 100 bytes with the key "k"
    for (let i = 0; i < 50; i++) log.append('k', [value]);
    expect(log.size(0).bytes).toBeLessThanOrEqual(1_000);
    expect(log.endOffset(0)).toBe(50);
    expect(log.startOffset(0)).toBe(50 - log.size(0).records);
    expect(log.read(0, 49)?.value).toBe(value);
    expect(log.read(0, 0)).toBeUndefined();
    log.append('k', ['y'.repeat(5_000)]);
    expect(log.size(0)).toEqual({ records: 1, bytes: 5_001 });
  });

  it('keeps records and bytes within their bounds under any appends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.array(fc.string({ maxLength: 300 }), { minLength: 1, maxLength: 5 }), {
          maxLength: 200,
        }),
        (records, bytes, batches) => {
          const log = new TopicLog('t', 2, { records, bytes });
          let appended = 0;
          for (const batch of batches) {
            const partition = log.append(`k${appended % 3}`, batch);
            appended += batch.length;
            const size = log.size(partition);
            const newest = log.read(partition, log.endOffset(partition) - 1)!;
            const newestBytes = Buffer.byteLength(newest.key) + Buffer.byteLength(newest.value);
            expect(size.records).toBeLessThanOrEqual(Math.floor(records * 1.1) + 1);
            expect(size.bytes).toBeLessThanOrEqual(Math.max(bytes, newestBytes));
            expect(size.records).toBeGreaterThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('refuses a retention that is not a positive integer', () => {
    expect(() => new InMemoryBroker(1, 10, 0)).toThrow(InvalidBusArgumentError);
    expect(() => new InMemoryBroker(1, 10, 0)).toThrow(/retentionBytes/);
  });
});
