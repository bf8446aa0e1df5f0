import type { WorldPlacement } from '@anvil/capability-model';
import { EVENT_TYPE, samePlacement } from '@anvil/control-plane';
import type { WorldEvent } from '../reconcile/transition-events';

/**
 * The Event a placement change deserves (the world's placement history in `kubectl describe`):
 * `Placed` the first time, `FailedOver` when another replica took it after its owner was lost,
 * `Moved` when it changed owner otherwise, `OwnerLost` (Warning) when its owner's lease ran
 * out, `Stopped` when it was closed. None when nothing changed. Pure.
 */
export function placementEvent(
  previous: WorldPlacement | undefined,
  next: WorldPlacement | undefined,
): WorldEvent | undefined {
  if (!next || samePlacement(previous, next)) return undefined;
  const where = `replica ${next.replica} at ${next.address} (epoch ${next.epoch})`;
  if (next.state === 'OwnerLost') {
    return {
      type: EVENT_TYPE.warning,
      reason: 'OwnerLost',
      message: next.message
        ? `${where} stopped renewing its lease; ${next.message}`
        : `${where} stopped renewing its lease; another replica takes the world over`,
    };
  }
  if (next.state === 'Stopped')
    return { type: EVENT_TYPE.normal, reason: 'Stopped', message: `closed on ${where}` };
  if (!previous) return { type: EVENT_TYPE.normal, reason: 'Placed', message: `runs on ${where}` };
  if (previous.replica === next.replica && previous.epoch === next.epoch) {
    return { type: EVENT_TYPE.normal, reason: 'Placed', message: `runs on ${where} again` };
  }
  const from = `replica ${previous.replica} (epoch ${previous.epoch})`;
  return previous.state === 'OwnerLost'
    ? {
        type: EVENT_TYPE.normal,
        reason: 'FailedOver',
        message: `taken over from ${from} by ${where}`,
      }
    : { type: EVENT_TYPE.normal, reason: 'Moved', message: `moved from ${from} to ${where}` };
}
