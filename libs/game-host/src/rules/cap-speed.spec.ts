import fc from 'fast-check';
import { capSpeed } from './cap-speed';

describe('capSpeed', () => {
  const velocity = fc.double({ min: -1e6, max: 1e6, noNaN: true });
  const cap = fc.integer({ min: 1, max: 100_000 });

  it('never exceeds the cap, keeps the direction, and leaves slow moves as they are', () => {
    fc.assert(
      fc.property(velocity, velocity, cap, (vx, vy, max) => {
        const { vxMmS, vyMmS } = capSpeed(vx, vy, max);
        expect(Math.hypot(vxMmS, vyMmS)).toBeLessThanOrEqual(max);
        expect(Number.isInteger(vxMmS) && Number.isInteger(vyMmS)).toBe(true);
        // Same direction: no component changes sign.
        expect(vxMmS * vx).toBeGreaterThanOrEqual(0);
        expect(vyMmS * vy).toBeGreaterThanOrEqual(0);
        if (Math.hypot(Math.round(vx), Math.round(vy)) <= max)
          expect([vxMmS, vyMmS]).toEqual([Math.round(vx) || 0, Math.round(vy) || 0]);
      }),
    );
  });

  it('slows a move to the cap', () => {
    expect(capSpeed(0.5, 0.5, 1)).toEqual({ vxMmS: 0, vyMmS: 0 });
    expect(capSpeed(9_000, 0, 8_000)).toEqual({ vxMmS: 8_000, vyMmS: 0 });
    expect(capSpeed(-60_000, 80_000, 5_000)).toEqual({ vxMmS: -3_000, vyMmS: 4_000 });
  });
});
