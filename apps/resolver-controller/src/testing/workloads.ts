import type { WorkloadState } from '../workloads/workload-plan';

/** A module workload as the cluster lists it: in namespace `games`, running and Ready unless `more` says otherwise. */
export const runningWorkload = (
  name: string,
  module: string,
  more: Partial<WorkloadState> = {},
): WorkloadState => ({
  namespace: 'games',
  name,
  module,
  replicas: 1,
  available: 1,
  ready: true,
  deleting: false,
  ...more,
});
