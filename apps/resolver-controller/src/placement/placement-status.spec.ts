import { placementEvent, placementOf, samePlacement } from './placement-status';

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
    expect(placementEvent(placementOf({ ...newer, expired: false }), waiting)).toMatchObject({
      type: 'Warning',
      reason: 'OwnerLost',
      message: expect.stringMatching(/stopped renewing its lease; no live replica reads/),
    });
    // A reader is live, nobody is (nothing to compare with), or the world runs: no message.
    expect(placementOf(newer, 2)?.message).toBeUndefined();
    expect(placementOf(newer, undefined)?.message).toBeUndefined();
    expect(placementOf({ ...newer, expired: false }, 1)?.message).toBeUndefined();
    expect(samePlacement(waiting, placementOf(newer, 2))).toBe(false);
  });
});

describe('placementEvent', () => {
  const running = (holder: string, epoch: number) => placementOf(lease(holder, epoch))!;
  const lost = (holder: string, epoch: number) => placementOf(lease(holder, epoch, true))!;

  it('tells the placement history, once per change', () => {
    expect(placementEvent(undefined, running('p-0', 1))).toMatchObject({
      type: 'Normal',
      reason: 'Placed',
      message: 'runs on replica p-0 at p-0:50051 (epoch 1)',
    });
    expect(placementEvent(running('p-0', 1), running('p-0', 1))).toBeUndefined();
    expect(placementEvent(running('p-0', 1), lost('p-0', 1))).toMatchObject({
      type: 'Warning',
      reason: 'OwnerLost',
    });
    expect(placementEvent(lost('p-0', 1), running('p-1', 2))).toMatchObject({
      reason: 'FailedOver',
      message: 'taken over from replica p-0 (epoch 1) by replica p-1 at p-1:50051 (epoch 2)',
    });
    expect(placementEvent(running('p-0', 1), running('p-1', 2))).toMatchObject({
      reason: 'Moved',
    });
    expect(placementEvent(lost('p-0', 1), running('p-0', 1))).toMatchObject({
      reason: 'Placed',
      message: expect.stringContaining('again'),
    });
    expect(
      placementEvent(running('p-1', 2), placementOf(lease('p-1', 2, true, true))),
    ).toMatchObject({ reason: 'Stopped' });
    expect(placementEvent(running('p-1', 2), undefined)).toBeUndefined();
  });

  it('compares every field', () => {
    expect(samePlacement(running('a', 1), running('a', 1))).toBe(true);
    expect(samePlacement(running('a', 1), running('a', 2))).toBe(false);
    expect(samePlacement(undefined, undefined)).toBe(true);
  });
});
