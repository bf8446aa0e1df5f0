import type { LeaseRecord } from './lease-decision';

/** Lease reads and writes (client-node's CoordinationV1Api in `kube/kube-lease-client.ts`). */
export interface LeaseClient {
  /** The Lease, or undefined when it does not exist. */
  get(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  /** Creates the Lease; rejects with LeaseConflictError when it already exists. */
  create(
    namespace: string,
    name: string,
    record: Omit<LeaseRecord, 'resourceVersion'>,
  ): Promise<LeaseRecord>;
  /** Replaces the Lease if it is still at `resourceVersion`; rejects with LeaseConflictError otherwise. */
  update(
    namespace: string,
    name: string,
    resourceVersion: string,
    record: Omit<LeaseRecord, 'resourceVersion'>,
  ): Promise<LeaseRecord>;
}

/** Another replica wrote the Lease first (HTTP 409). */
export class LeaseConflictError extends Error {
  override name = 'LeaseConflictError';
}
