import fc from 'fast-check';
import { EpochFence } from './epoch-fence';

describe('EpochFence', () => {
  it("drops a world's messages of an epoch older than one it saw, per world", () => {
    const fence = new EpochFence();
    expect(fence.admit('a', 1)).toBe(true);
    expect(fence.admit('a', 2)).toBe(true);
    expect(fence.admit('a', 1)).toBe(false);
    expect(fence.admit('a', 2)).toBe(true);
    expect(fence.admit('b', 1)).toBe(true);
    expect(fence.admit('b')).toBe(false);
    expect(fence.epochOf('a')).toBe(2);
  });

  it('admits exactly the messages whose epoch is the running maximum (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 50 }), (epochs) => {
        const fence = new EpochFence();
        let max = -1;
        for (const epoch of epochs) {
          expect(fence.admit('w', epoch)).toBe(epoch >= max);
          max = Math.max(max, epoch);
        }
      }),
    );
  });

  it('stays bounded, forgetting the world whose epoch changed longest ago', () => {
    const fence = new EpochFence(2);
    fence.admit('a', 3);
    fence.admit('b', 1);
    fence.admit('c', 1);
    expect(fence.epochOf('a')).toBeUndefined();
    expect(fence.epochOf('c')).toBe(1);
  });
});
