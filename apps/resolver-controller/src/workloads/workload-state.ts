import type { V1Deployment } from '@kubernetes/client-node';
import { MODULE_LABEL } from './desired-workloads';
import type { WorkloadState } from './workload-plan';

/** Longest failure text kept from a Deployment's condition (it ends up in conditions and Events). */
const MAX_FAILURE = 300;

/** A Deployment's state as the workload sync plans with it (readiness, deletion, failure). Pure. */
export function workloadState(deployment: V1Deployment): WorkloadState {
  const { metadata, spec, status } = deployment;
  const labels = metadata?.labels ?? {};
  const replicas = spec?.replicas ?? 1;
  const available = status?.availableReplicas ?? 0;
  const observed = (status?.observedGeneration ?? 0) >= (metadata?.generation ?? 0);
  const failing = (status?.conditions ?? []).find(
    (c) =>
      (c.type === 'Progressing' && c.status === 'False') ||
      (c.type === 'ReplicaFailure' && c.status === 'True'),
  );
  return {
    namespace: metadata?.namespace ?? '',
    name: metadata?.name ?? '',
    module: labels[MODULE_LABEL] ?? '',
    replicas,
    available,
    ready: observed && available >= Math.max(1, replicas),
    deleting: metadata?.deletionTimestamp !== undefined,
    ...(failing && { failure: clip(failing.message ?? failing.reason ?? failing.type) }),
  };
}

function clip(text: string): string {
  return text.length <= MAX_FAILURE ? text : `${text.slice(0, MAX_FAILURE - 3)}...`;
}
