import type { V1Lease } from '@kubernetes/client-node';
import { KubeApiError } from '../errors/errors';
import { LeaseConflictError, type LeaseClient } from '../leader/lease-client';
import type { LeaseRecord } from '../leader/lease-decision';
import { call } from './kube-writer';
import type { KubeApis } from './kube-apis';

type Spec = Omit<LeaseRecord, 'resourceVersion'>;

/**
 * Lease reads and writes over client-node's CoordinationV1Api. MicroTime fields travel as
 * strings: client-node passes unknown types through its serializer unchanged.
 */
export class KubeLeaseClient implements LeaseClient {
  constructor(private readonly apis: KubeApis) {}

  async get(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    try {
      return toRecord(
        await call(`read lease ${namespace}/${name}`, () =>
          this.apis.coordination.readNamespacedLease({ namespace, name }),
        ),
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async create(namespace: string, name: string, record: Spec): Promise<LeaseRecord> {
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace },
      spec: toSpec(record),
    } as V1Lease;
    return conflicts(() =>
      call(`create lease ${namespace}/${name}`, () =>
        this.apis.coordination.createNamespacedLease({ namespace, body }),
      ),
    );
  }

  async update(
    namespace: string,
    name: string,
    resourceVersion: string,
    record: Spec,
  ): Promise<LeaseRecord> {
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, resourceVersion },
      spec: toSpec(record),
    } as V1Lease;
    return conflicts(() =>
      call(`update lease ${namespace}/${name}`, () =>
        this.apis.coordination.replaceNamespacedLease({ namespace, name, body }),
      ),
    );
  }
}

async function conflicts(write: () => Promise<V1Lease>): Promise<LeaseRecord> {
  try {
    return toRecord(await write());
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 409)
      throw new LeaseConflictError(error.message, { cause: error });
    throw error;
  }
}

function toSpec(record: Spec): V1Lease['spec'] {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: record.acquireTime,
    renewTime: record.renewTime,
    leaseTransitions: record.leaseTransitions,
  } as unknown as V1Lease['spec'];
}

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const time = (value: unknown) =>
    value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : undefined;
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: time(spec.acquireTime),
    renewTime: time(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}
