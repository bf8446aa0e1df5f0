import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { KubeApiError } from '../errors/errors';
import { FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../mapping/labels';
import { WORKLOAD_LABEL, type ModuleWorkload } from '../workloads/desired-workloads';
import type { WorkloadState } from '../workloads/workload-plan';
import { workloadState } from '../workloads/workload-state';
import type { WorkloadWriter } from '../workloads/workload-sync';
import type { KubeApis } from './kube-apis';
import { call } from './kube-writer';

/** Server-side apply: client-node 1.x picks JSON Patch by default, this header overrides it. */
const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
/** This controller owns the workloads' fields, taking over conflicting ones. */
const SERVER_SIDE_APPLY = { fieldManager: FIELD_MANAGER, force: true };
/** The module workloads this controller manages (its Deployments carry both labels). */
const MANAGED = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${WORKLOAD_LABEL}`;

/** Module workloads over client-node: Deployments (apps/v1) and headless Services (v1). */
export class KubeWorkloadWriter implements WorkloadWriter {
  constructor(private readonly apis: KubeApis) {}

  async applyWorkload(workload: ModuleWorkload): Promise<void> {
    const { namespace, name } = workload;
    await call(`apply deployment ${namespace}/${name}`, () =>
      this.apis.apps.patchNamespacedDeployment(
        { name, namespace, body: workload.deployment, ...SERVER_SIDE_APPLY },
        APPLY,
      ),
    );
    await call(`apply service ${namespace}/${name}`, () =>
      this.apis.core.patchNamespacedService(
        { name, namespace, body: workload.service, ...SERVER_SIDE_APPLY },
        APPLY,
      ),
    );
  }

  async listWorkloads(namespace: string | undefined): Promise<WorkloadState[]> {
    const list = await call(`list module workloads in ${namespace ?? 'all namespaces'}`, () =>
      namespace === undefined
        ? this.apis.apps.listDeploymentForAllNamespaces({ labelSelector: MANAGED })
        : this.apis.apps.listNamespacedDeployment({ namespace, labelSelector: MANAGED }),
    );
    return list.items.map(workloadState);
  }

  async deleteWorkload(namespace: string, name: string): Promise<void> {
    await ignoreGone(
      call(`delete service ${namespace}/${name}`, () =>
        this.apis.core.deleteNamespacedService({ name, namespace }),
      ),
    );
    // Foreground: the Deployment stays, marked deleting, until its pods are gone, so the sync
    // sees the old version drain (its pods hand their worlds over as they stop).
    await ignoreGone(
      call(`delete deployment ${namespace}/${name}`, () =>
        this.apis.apps.deleteNamespacedDeployment({
          name,
          namespace,
          propagationPolicy: 'Foreground',
        }),
      ),
    );
  }
}

async function ignoreGone(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return;
    throw error;
  }
}
