import type { V1Deployment } from '@kubernetes/client-node';
import { workloadState } from './workload-state';

const deployment = (more: {
  replicas?: number;
  generation?: number;
  status?: V1Deployment['status'];
  deleting?: boolean;
}): V1Deployment => ({
  metadata: {
    name: 'physics-rapier-1-5-0',
    namespace: 'games',
    generation: more.generation ?? 2,
    labels: { 'app.kubernetes.io/name': 'physics-rapier' },
    ...(more.deleting && { deletionTimestamp: new Date('2026-12-01T17:00:00Z') }),
  },
  spec: {
    ...(more.replicas !== undefined && { replicas: more.replicas }),
    selector: {},
    template: {},
  },
  status: more.status,
});

describe('workloadState', () => {
  it('is ready once the latest spec is observed and every replica asked for is available', () => {
    const ready = workloadState(
      deployment({ status: { observedGeneration: 2, availableReplicas: 1 } }),
    );
    expect(ready).toEqual({
      namespace: 'games',
      name: 'physics-rapier-1-5-0',
      module: 'physics-rapier',
      replicas: 1,
      available: 1,
      ready: true,
      deleting: false,
    });
    // An older generation's availability does not count; nor do 1 of 3 replicas; nor none.
    expect(
      workloadState(deployment({ status: { observedGeneration: 1, availableReplicas: 1 } })).ready,
    ).toBe(false);
    expect(
      workloadState(
        deployment({ replicas: 3, status: { observedGeneration: 2, availableReplicas: 1 } }),
      ).ready,
    ).toBe(false);
    expect(workloadState(deployment({})).ready).toBe(false);
    expect(workloadState(deployment({ deleting: true })).deleting).toBe(true);
  });

  it("keeps a failing Deployment's reason, clipped", () => {
    const long = 'x'.repeat(5_000);
    const failing = workloadState(
      deployment({
        status: {
          conditions: [
            { type: 'Available', status: 'False' },
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: long,
            },
          ],
        },
      }),
    );
    expect(failing.failure).toHaveLength(300);
    expect(failing.failure?.endsWith('...')).toBe(true);
    const replicaFailure = workloadState(
      deployment({
        status: {
          conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }],
        },
      }),
    );
    expect(replicaFailure.failure).toBe('FailedCreate');
    expect(workloadState(deployment({})).failure).toBeUndefined();
  });
});
