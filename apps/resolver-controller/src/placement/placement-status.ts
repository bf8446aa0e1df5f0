import type { WorldPlacement } from '@anvil/capability-model';
import { EVENT_TYPE } from '@anvil/control-plane';
import type { WorldEvent } from '../reconcile/transition-events';
import type { LeaseView } from '../registry/world-registry';

/**
 * The placement a lease describes (undefined: the world was never placed). `readable`, the
 * newest state format the live replicas read, explains an orphan none of them can take. Pure.
 */
export function placementOf(
  lease: LeaseView | undefined,
  readable?: number,
): WorldPlacement | undefined {
  if (!lease) return undefined;
  const state = lease.released ? 'Stopped' : lease.expired ? 'OwnerLost' : 'Running';
  const placement: WorldPlacement = {
    replica: lease.holder,
    address: lease.address,
    epoch: lease.epoch,
    state,
  };
  const format = lease.stateFormat ?? 1;
  if (state !== 'OwnerLost' || readable === undefined || format <= readable) return placement;
  return {
    ...placement,
    message:
      `no live replica reads its state format ${format} (they read up to ${readable}): ` +
      'it waits, with its checkpoint and log, for a replica of a build that does',
  };
}

/** True when two placements say the same. */
export function samePlacement(a?: WorldPlacement, b?: WorldPlacement): boolean {
  return (
    a?.replica === b?.replica &&
    a?.address === b?.address &&
    a?.epoch === b?.epoch &&
    a?.state === b?.state &&
    a?.message === b?.message
  );
}

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
