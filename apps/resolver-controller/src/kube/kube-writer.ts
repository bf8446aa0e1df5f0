import { PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import {
  API_VERSION,
  type Condition,
  type WorldInstance,
  type WorldInstanceStatus,
  type WorldPlacement,
} from '@anvil/capability-model';
import { KubeApiError } from '../errors/errors';
import { RESOURCES } from '../mapping/cluster-cache';
import type { KubeObject } from '../informers/kube-object';
import { statusCodeOf } from '../informers/list-watch';
import { EVENT_SOURCE, FIELD_MANAGER } from '../mapping/labels';
import type { ClusterWriter } from '../reconcile/cluster-writer';
import type { BindingObject } from '../reconcile/desired-bindings';
import type { WorldEvent } from '../reconcile/transition-events';
import { GROUP, VERSION, type KubeApis } from './kube-apis';

/** Server-side apply: client-node 1.x picks JSON Patch by default, this header overrides it. */
const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
/** The field manager of `status.placement`: resolution's status applies leave it alone. */
const PLACEMENT_FIELD_MANAGER = 'anvil-placement';
/** The field manager of the Migrating condition (the module workload sync). */
const WORKLOADS_FIELD_MANAGER = 'anvil-workloads';
/** The apply-patch fields: this controller owns what it applies, taking over conflicting fields. */
const SERVER_SIDE_APPLY = { fieldManager: FIELD_MANAGER, force: true };

/**
 * The reconciler's writes over client-node: bindings and world status by server-side apply
 * with the `anvil-resolver` field manager (force: we own these fields), deletes with a uid
 * precondition, and core/v1 Events. Errors become KubeApiError with the HTTP status.
 */
export class KubeClusterWriter implements ClusterWriter {
  constructor(
    private readonly apis: KubeApis,
    private readonly identity: string,
  ) {}

  applyBinding(binding: BindingObject): Promise<KubeObject> {
    const { name, namespace } = binding.metadata;
    const request = {
      ...objectRef(RESOURCES.bindings, namespace, name),
      body: binding,
      ...SERVER_SIDE_APPLY,
    };
    return call(`apply binding ${namespace}/${name}`, () =>
      this.apis.customObjects.patchNamespacedCustomObject(request, APPLY),
    );
  }

  async deleteBinding(namespace: string, name: string, uid?: string): Promise<void> {
    const request = {
      ...objectRef(RESOURCES.bindings, namespace, name),
      body: uid ? { preconditions: { uid } } : {},
    };
    try {
      await call(`delete binding ${namespace}/${name}`, () =>
        this.apis.customObjects.deleteNamespacedCustomObject(request),
      );
    } catch (error) {
      // 404: already gone; 409: the uid precondition failed, so the name now holds another object
      if (error instanceof KubeApiError && (error.status === 404 || error.status === 409)) return;
      throw error;
    }
  }

  applyWorldStatus(world: WorldInstance, status: WorldInstanceStatus): Promise<KubeObject> {
    return this.applyStatus('status', world, status, FIELD_MANAGER);
  }

  applyWorldPlacement(world: WorldInstance, placement: WorldPlacement): Promise<KubeObject> {
    return this.applyStatus('placement', world, { placement }, PLACEMENT_FIELD_MANAGER);
  }

  applyWorldMigration(world: WorldInstance, condition: Condition): Promise<KubeObject> {
    // conditions is a list map keyed by type: this manager owns the Migrating entry alone.
    const status = { conditions: [condition] };
    return this.applyStatus('migration', world, status, WORKLOADS_FIELD_MANAGER);
  }

  /** Server-side apply of (part of) a world's status through the status subresource. */
  private applyStatus(
    what: string,
    world: WorldInstance,
    status: WorldInstanceStatus,
    fieldManager: string,
  ): Promise<KubeObject> {
    const { name } = world.metadata;
    const namespace = world.metadata.namespace ?? '';
    const body = {
      apiVersion: API_VERSION,
      kind: 'WorldInstance',
      metadata: { name, namespace },
      status,
    };
    const request = {
      ...objectRef(RESOURCES.worlds, namespace, name),
      body,
      fieldManager,
      force: true,
    };
    return call(`apply ${what} of world ${namespace}/${name}`, () =>
      this.apis.customObjects.patchNamespacedCustomObjectStatus(request, APPLY),
    );
  }

  async recordEvent(world: WorldInstance, event: WorldEvent): Promise<void> {
    const namespace = world.metadata.namespace ?? 'default';
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { generateName: `${world.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: API_VERSION,
        kind: 'WorldInstance',
        name: world.metadata.name,
        namespace,
        uid: world.metadata.uid,
        resourceVersion: world.metadata.resourceVersion,
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: this.identity,
      action: 'Reconcile',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await call(`record event ${event.reason} on ${namespace}/${world.metadata.name}`, () =>
      this.apis.core.createNamespacedEvent({ namespace, body }),
    );
  }
}

/** The path of one anvil.dev object in a custom-objects API request. */
function objectRef(plural: string, namespace: string, name: string) {
  return { group: GROUP, version: VERSION, plural, namespace, name };
}

/** Runs an API call, turning its failure into a KubeApiError that names what was attempted. */
export async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const status = statusCodeOf(error);
    throw new KubeApiError(
      `${what}: ${status ? `HTTP ${status}: ` : ''}${apiMessage(error)}`,
      status,
      { cause: error },
    );
  }
}

/** The Status message of an ApiException body, or the error's own message. */
function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      return body.slice(0, 300);
    }
  }
  if (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { message?: unknown }).message === 'string'
  )
    return (body as { message: string }).message;
  return error instanceof Error ? error.message : String(error);
}
