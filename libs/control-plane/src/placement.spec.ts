import { anyOrphaned, placementOf, samePlacement } from './placement';

const lease = (holder: string, epoch: number, expired = false, released = false) => ({
  holder,
  address: `${holder}:50051`,
  epoch,
  expired,
  released,
});

describe('placementOf', () => {
  it('reads the state from the lease', () => {
    expect(placementOf(undefined)).toBeUndefined();
    expect(placementOf(lease('p-0', 3))).toEqual({
      replica: 'p-0',
      address: 'p-0:50051',
      epoch: 3,
      state: 'Running',
    });
    expect(placementOf(lease('p-0', 3, true))?.state).toBe('OwnerLost');
    expect(placementOf(lease('p-0', 3, true, true))?.state).toBe('Stopped');
  });

  it('says why an orphan waits when no live replica reads its state format', () => {
    const newer = { ...lease('p-new', 4, true), stateFormat: 2 };
    const waiting = placementOf(newer, 1);
    expect(waiting).toMatchObject({ state: 'OwnerLost', epoch: 4 });
    expect(waiting?.message).toBe(
      'no live replica reads its state format 2 (they read up to 1): it waits, with its ' +
        'checkpoint and log, for a replica of a build that does',
    );
    // A reader is live, nobody is (nothing to compare with), or the world runs: no message.
    expect(placementOf(newer, 2)?.message).toBeUndefined();
    expect(placementOf(newer, undefined)?.message).toBeUndefined();
    expect(placementOf({ ...newer, expired: false }, 1)?.message).toBeUndefined();
    expect(samePlacement(waiting, placementOf(newer, 2))).toBe(false);
  });
});

describe('samePlacement', () => {
  it('compares every field', () => {
    const running = (holder: string, epoch: number) => placementOf(lease(holder, epoch));
    expect(samePlacement(running('a', 1), running('a', 1))).toBe(true);
    expect(samePlacement(running('a', 1), running('a', 2))).toBe(false);
    expect(samePlacement(running('a', 1), placementOf(lease('a', 1, true)))).toBe(false);
    expect(samePlacement(undefined, undefined)).toBe(true);
  });
});

describe('anyOrphaned', () => {
  it('is true when a lease ran out without being released', () => {
    expect(anyOrphaned([lease('a', 1), lease('b', 1, true, true)])).toBe(false);
    expect(anyOrphaned([lease('a', 1), lease('b', 1, true)])).toBe(true);
    expect(anyOrphaned([])).toBe(false);
  });
});
