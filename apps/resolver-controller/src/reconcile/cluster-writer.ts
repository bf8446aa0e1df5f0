import type {
  Condition,
  WorldInstance,
  WorldInstanceStatus,
  WorldPlacement,
} from '@anvil/capability-model';
import type { KubeObject } from '../informers/kube-object';
import type { BindingObject } from './desired-bindings';
import type { WorldEvent } from './transition-events';

/**
 * Every write the reconciler makes. The real implementation (`kube/kube-writer.ts`) uses
 * client-node with server-side apply; unit tests use a recording fake.
 */
export interface ClusterWriter {
  /** Creates or updates a binding (server-side apply, our field manager); returns the stored object. */
  applyBinding(binding: BindingObject): Promise<KubeObject>;
  /** Deletes a binding (only that uid when given); an already missing one is not an error. */
  deleteBinding(namespace: string, name: string, uid?: string): Promise<void>;
  /** Writes the world's status through the status subresource; returns the stored world. */
  applyWorldStatus(world: WorldInstance, status: WorldInstanceStatus): Promise<KubeObject>;
  /** Records a Kubernetes Event on the world. */
  recordEvent(world: WorldInstance, event: WorldEvent): Promise<void>;
  /** Writes `status.placement` only (a field manager of its own, so resolution keeps the rest). */
  applyWorldPlacement(world: WorldInstance, placement: WorldPlacement): Promise<KubeObject>;
  /** Writes the world's Migrating condition only (the workload sync's field manager). */
  applyWorldMigration(world: WorldInstance, condition: Condition): Promise<KubeObject>;
}

/** Kinds of writes, for the writes counter. */
export type WriteKind =
  'binding_apply' | 'binding_delete' | 'status' | 'event' | 'placement' | 'migration';

/** A minimal structured logger (a subset of pino's). */
export interface Log {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Log;
}

/** A logger that drops everything (tests). */
export const silentLog: Log = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLog,
};
