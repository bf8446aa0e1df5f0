import fc from 'fast-check';

import { murmur2, partitionForKey } from './partitioner';

describe('murmur2 / partitionForKey', () => {
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681],
    ['ü€', 1453868851],
  ])('hashes %j like Kafka (org.apache.kafka.common.utils.Utils.murmur2)', (key, hash) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
  });

  it('always picks a partition in range, the same one every time', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        const partition = partitionForKey(key, partitions);
        expect(Number.isInteger(partition) && partition >= 0 && partition < partitions).toBe(true);
        expect(partitionForKey(key, partitions)).toBe(partition);
      }),
    );
  });
});
