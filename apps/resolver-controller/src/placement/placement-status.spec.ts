import type { WorldPlacement } from '@anvil/capability-model';
import { placementEvent } from './placement-status';

const placed = (replica: string, epoch: number, state: WorldPlacement['state']) => ({
  replica,
  address: `${replica}:50051`,
  epoch,
  state,
});
const running = (replica: string, epoch: number) => placed(replica, epoch, 'Running');
const lost = (replica: string, epoch: number) => placed(replica, epoch, 'OwnerLost');

describe('placementEvent', () => {
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
    expect(placementEvent(running('p-1', 2), placed('p-1', 2, 'Stopped'))).toMatchObject({
      reason: 'Stopped',
    });
    expect(placementEvent(running('p-1', 2), undefined)).toBeUndefined();
  });

  it('says in the OwnerLost Event why an orphan waits', () => {
    const waiting = { ...lost('p-new', 4), message: 'no live replica reads its state format 2' };
    expect(placementEvent(running('p-new', 4), waiting)).toMatchObject({
      type: 'Warning',
      reason: 'OwnerLost',
      message: expect.stringMatching(/stopped renewing its lease; no live replica reads/),
    });
  });
});
