import { ManualClock } from '../testing/manual-clock';
import { Expectations } from './expectations';

describe('Expectations', () => {
  it('is satisfied when the cache shows the written version', () => {
    const e = new Expectations(new ManualClock(), 1_000);
    e.expectVersion('ns/w', 'b/ns/x', '5', '4');
    expect(e.waitMs('ns/w')).toBe(1_000);
    e.observe('b/ns/x', '4');
    expect(e.waitMs('ns/w')).toBe(1_000);
    e.observe('b/ns/x', '5');
    expect(e.waitMs('ns/w')).toBe(0);
  });

  it('records nothing when the cache already has the version (a no-op apply)', () => {
    const e = new Expectations(new ManualClock());
    e.expectVersion('ns/w', 'b/ns/x', '5', '5');
    e.expectDeletion('ns/w', 'b/ns/y', false);
    expect(e.size).toBe(0);
  });

  it('waits for deletions to show', () => {
    const e = new Expectations(new ManualClock());
    e.expectDeletion('ns/w', 'b/ns/y', true);
    e.observe('b/ns/y', '7');
    expect(e.waitMs('ns/w')).toBeGreaterThan(0);
    e.observe('b/ns/y', undefined);
    expect(e.waitMs('ns/w')).toBe(0);
  });

  it('expires, and is per world', async () => {
    const clock = new ManualClock();
    const e = new Expectations(clock, 1_000);
    e.expectVersion('ns/w', 'b/ns/x', '5', undefined);
    expect(e.waitMs('ns/other')).toBe(0);
    await clock.advance(400);
    expect(e.waitMs('ns/w')).toBe(600);
    await clock.advance(600);
    expect(e.waitMs('ns/w')).toBe(0);
    expect(e.size).toBe(0);
  });

  it('is cleared by a relist of the resource and when the world goes', () => {
    const e = new Expectations(new ManualClock());
    e.expectVersion('ns/w', 'capabilitybindings/ns/x', '5', undefined);
    e.expectVersion('ns/w', 'worldinstances/ns/w', '6', undefined);
    e.clear('capabilitybindings/');
    expect(e.size).toBe(1);
    e.forgetWorld('ns/w');
    expect(e.size).toBe(0);
  });
});
