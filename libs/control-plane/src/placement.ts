import type { WorldPlacement } from '@anvil/capability-model';

/** A world's physics lease as the control plane reads it (see `@anvil/storage`'s WorldLease). */
export interface LeaseView {
  holder: string;
  address: string;
  epoch: number;
  expired: boolean;
  released: boolean;
  /** The newest state format its holders wrote (1 when not said). */
  stateFormat?: number;
}

/**
 * The placement a lease describes (undefined: the world was never placed), as a world's
 * `status.placement` says it. `readable`, the newest state format the live replicas read,
 * explains an orphan none of them can take. Pure.
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

/** Whether `placementOf` needs the live replicas' newest format: some lease is orphaned. */
export function anyOrphaned(leases: Iterable<LeaseView>): boolean {
  for (const lease of leases) if (lease.expired && !lease.released) return true;
  return false;
}
