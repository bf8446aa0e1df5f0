/** The parts of a coordination.k8s.io/v1 Lease the elector reads and writes. */
export interface LeaseRecord {
  /** Holder's identity; empty when released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** RFC 3339 times (MicroTime on the wire). */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
  /** For optimistic concurrency: every update sends it back. */
  resourceVersion: string;
}

/** When this replica first saw the current record (local clock: no cross-node clock skew). */
export interface LeaseObservation {
  record: LeaseRecord;
  observedAt: number;
}

/** What to do with the Lease this round. */
export type LeaseDecision =
  /** No Lease exists: create it holding it. */
  | { action: 'create' }
  /** We hold it: renew. */
  | { action: 'renew' }
  /** Released or expired: take it over. */
  | { action: 'acquire' }
  /** Someone else holds a fresh lease: wait (it expires in `expiresInMs` unless renewed). */
  | { action: 'wait'; holder: string; expiresInMs: number };

/**
 * Updates what we know of the Lease: the observation time only moves when the record changed
 * (another holder renewed, or the holder changed), as client-go's leader election does.
 */
export function observeLease(
  previous: LeaseObservation | undefined,
  record: LeaseRecord,
  now: number,
): LeaseObservation {
  const same =
    previous &&
    previous.record.resourceVersion === record.resourceVersion &&
    previous.record.holderIdentity === record.holderIdentity &&
    previous.record.renewTime === record.renewTime;
  return same ? previous : { record, observedAt: now };
}

/**
 * The elector's decision, pure: a missing Lease is created; ours is renewed; one that is
 * released (no holder) or that nobody renewed for its leaseDurationSeconds, measured on our
 * own clock since we saw it change, is taken over; otherwise we wait.
 */
export function decideLease(
  observation: LeaseObservation | undefined,
  identity: string,
  now: number,
): LeaseDecision {
  if (!observation) return { action: 'create' };
  const { record, observedAt } = observation;
  if (record.holderIdentity === identity) return { action: 'renew' };
  if (!record.holderIdentity) return { action: 'acquire' };
  const expiresInMs = observedAt + record.leaseDurationSeconds * 1000 - now;
  return expiresInMs <= 0
    ? { action: 'acquire' }
    : { action: 'wait', holder: record.holderIdentity, expiresInMs };
}

/** The record to write for a decision (create/acquire/renew), or for releasing (`release`). */
export function nextRecord(
  current: LeaseRecord | undefined,
  action: 'create' | 'acquire' | 'renew' | 'release',
  identity: string,
  leaseDurationSeconds: number,
  nowIso: string,
): Omit<LeaseRecord, 'resourceVersion'> {
  const transitions = current?.leaseTransitions ?? 0;
  switch (action) {
    case 'create':
      return {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: nowIso,
        renewTime: nowIso,
        leaseTransitions: 0,
      };
    case 'acquire':
      return {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: nowIso,
        renewTime: nowIso,
        leaseTransitions: transitions + 1,
      };
    case 'renew':
      return {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: current?.acquireTime ?? nowIso,
        renewTime: nowIso,
        leaseTransitions: transitions,
      };
    case 'release':
      // client-go: an empty holder and a 1 s duration let the next candidate in at once.
      return {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: current?.acquireTime,
        renewTime: nowIso,
        leaseTransitions: transitions,
      };
  }
}
