import { MODULE_LABEL, type ModuleWorkload } from './desired-workloads';

/** A module workload found in the cluster, with what its Deployment's status says. */
export interface WorkloadState {
  namespace: string;
  name: string;
  /** Its module (the `app.kubernetes.io/name` label); '' when the label is missing. */
  module: string;
  /** Replicas asked for and replicas available (Ready for the Deployment's minReadySeconds). */
  replicas: number;
  available: number;
  /** The Deployment controller has seen its latest spec and every replica asked for is available. */
  ready: boolean;
  /** Being deleted (its pods stop, and hand their worlds over, before it goes). */
  deleting: boolean;
  /** Why its Deployment is failing (a Progressing=False or ReplicaFailure=True condition). */
  failure?: string;
}

/** An unbound workload kept running until the workloads replacing it are Ready. */
export interface KeptWorkload {
  workload: WorkloadState;
  /** The bound workloads of the same module, in the same namespace, not Ready yet. */
  waitingFor: ModuleWorkload[];
}

/** What one workload sync does. */
export interface WorkloadPlan {
  /** Desired workloads to apply (all of them; the sync skips those unchanged since last time). */
  apply: ModuleWorkload[];
  /** Unbound workloads to delete: nothing replaces them, or what replaces them is Ready. */
  remove: WorkloadState[];
  kept: KeptWorkload[];
}

/**
 * The next step of the module workloads, from the desired ones and those in the cluster. Pure.
 * A workload no binding names any more is removed once every bound workload of the same module
 * in its namespace (its successors: a newer version the worlds moved to) is Ready, or at once
 * when there is none; until then it keeps running, so a version whose image never starts leaves
 * the worlds where they were. A workload already being deleted is left alone.
 */
export function planWorkloads(
  desired: readonly ModuleWorkload[],
  existing: readonly WorkloadState[],
): WorkloadPlan {
  const key = (w: { namespace: string; name: string }) => `${w.namespace}/${w.name}`;
  const wanted = new Set(desired.map(key));
  const states = new Map(existing.map((w) => [key(w), w]));
  const remove: WorkloadState[] = [];
  const kept: KeptWorkload[] = [];
  for (const workload of existing) {
    if (wanted.has(key(workload)) || workload.deleting) continue;
    const waitingFor = successorsOf(workload, desired).filter((s) => !states.get(key(s))?.ready);
    if (waitingFor.length === 0) remove.push(workload);
    else kept.push({ workload, waitingFor });
  }
  return { apply: [...desired], remove, kept };
}

/** The bound workloads of `workload`'s module in its namespace. */
export function successorsOf(
  workload: Pick<WorkloadState, 'namespace' | 'module'>,
  desired: readonly ModuleWorkload[],
): ModuleWorkload[] {
  if (!workload.module) return [];
  return desired.filter(
    (d) =>
      d.namespace === workload.namespace &&
      d.deployment.metadata.labels[MODULE_LABEL] === workload.module,
  );
}
