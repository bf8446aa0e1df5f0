import type { Timers } from '@anvil/runtime';
import { PeriodicTask } from '../queue/periodic-task';
import { describeError } from '../errors/errors';
import type { CachedBinding, CachedManifest } from '../mapping/cluster-cache';
import type { Log } from '../reconcile/cluster-writer';
import { desiredWorkloads, type ModuleWorkload } from './desired-workloads';

/** A module workload found in the cluster (by its labels). */
export interface ExistingWorkload {
  namespace: string;
  name: string;
}

/** The writes of the workload sync (server-side apply, owned by the manifest). */
export interface WorkloadWriter {
  /** Applies the workload's Deployment and Service. */
  applyWorkload(workload: ModuleWorkload): Promise<void>;
  /** The module workloads this controller manages, in `namespace` (undefined: all). */
  listWorkloads(namespace: string | undefined): Promise<ExistingWorkload[]>;
  /** Deletes a workload's Deployment and Service (gone already is fine). */
  deleteWorkload(namespace: string, name: string): Promise<void>;
}

/** What the sync needs. */
export interface WorkloadSyncDeps {
  manifests: () => CachedManifest[];
  bindings: () => CachedBinding[];
  writer: WorkloadWriter;
  /** The one namespace watched (undefined: all). */
  namespace: string | undefined;
  everyMs: number;
  timers: Timers;
  log: Log;
}

/**
 * Runs the bound module versions (docs/controller.md, "Module workloads"): every `everyMs`
 * while leading, each ModuleManifest version that a world's binding names gets its Deployment
 * and headless Service (from the manifest's image and endpoint, owned by the manifest, so
 * deleting the manifest deletes them), and a workload no binding names any more is deleted.
 * A workload is applied when it is missing or its desired objects changed since it was last
 * applied, so a quiet cluster costs one list per period.
 */
export class WorkloadSync {
  private readonly task: PeriodicTask;
  /** What was last applied per workload (namespace/name -> JSON of its objects). */
  private readonly applied = new Map<string, string>();

  constructor(private readonly deps: WorkloadSyncDeps) {
    this.task = new PeriodicTask(() => this.sync(), {
      everyMs: deps.everyMs,
      timers: deps.timers,
      onError: (error) =>
        deps.log.warn({ err: describeError(error) }, 'module workload sync failed'),
    });
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One pass: apply what is missing or changed, delete what is no longer bound. */
  async sync(): Promise<void> {
    const { writer, log } = this.deps;
    const desired = desiredWorkloads(this.deps.manifests(), this.deps.bindings());
    const existing = await writer.listWorkloads(this.deps.namespace);
    const present = new Set(existing.map((w) => `${w.namespace}/${w.name}`));
    const wanted = new Set<string>();
    for (const workload of desired) {
      const key = `${workload.namespace}/${workload.name}`;
      wanted.add(key);
      const body = JSON.stringify([workload.deployment, workload.service]);
      if (present.has(key) && this.applied.get(key) === body) continue;
      await writer.applyWorkload(workload);
      this.applied.set(key, body);
      log.info(
        { workload: key, manifest: workload.manifest },
        present.has(key) ? 'module workload updated' : 'module workload created',
      );
    }
    for (const { namespace, name } of existing) {
      const key = `${namespace}/${name}`;
      if (wanted.has(key)) continue;
      await writer.deleteWorkload(namespace, name);
      this.applied.delete(key);
      log.info({ workload: key }, 'module workload deleted: no world binds its module version');
    }
  }
}
