import { placementOf, samePlacement } from '@anvil/control-plane';
import { placementEvent } from './placement-status';

const lease = (holder: string, epoch: number, expired = false, released = false) => ({
  holder,
  address: `${holder}:50051`,
  epoch,
  expired,
  released,
});

describe('placementEvent', () => {
  it('says in the OwnerLost Event why an orphan waits', () => {
    const newer = { ...lease('p-new', 4, true), stateFormat: 2 };
    expect(
      placementEvent(placementOf({ ...newer, expired: false }), placementOf(newer, 1)),
    ).toMatchObject({
      type: 'Warning',
      reason: 'OwnerLost',
      message: expect.stringMatching(/stopped renewing its lease; no live replica reads/),
    });
  });

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
