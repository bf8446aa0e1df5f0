/**
 * Every condition type, condition reason and Event reason the controller writes, in one place
 * (kubebuilder's memcached example keeps them together too). CamelCase, as Kubernetes expects.
 */

/** Condition types on WorldInstance.status.conditions. */
export const CONDITION = {
  /** Every required capability of the world's modules is bound. */
  resolved: 'Resolved',
  /** Resolved, and every desired CapabilityBinding exists as computed. */
  ready: 'Ready',
  /**
   * A module version the world binds is replacing another one's workload (written by the module
   * workload sync, a field manager of its own; resolution neither sets nor compares it).
   */
  migrating: 'Migrating',
} as const;

/** Reasons of the conditions. */
export const REASON = {
  /** Resolved=True: all requirements bound. */
  resolved: 'Resolved',
  /** Resolved=True: all required requirements bound, some optional ones not. */
  resolvedWithWarnings: 'ResolvedWithWarnings',
  /** Resolved=False: at least one required requirement (or the input) has an error. */
  requirementsUnresolved: 'RequirementsUnresolved',
  /** Resolved=False: the world's gameRef names no GameDefinition in its namespace. */
  gameNotFound: 'GameNotFound',
  /** Ready=True: the bindings are in place. */
  bindingsReady: 'BindingsReady',
  /** Ready=False: not resolved, so the world cannot run. */
  unresolved: 'Unresolved',
  /** Ready=False: writing the bindings failed; retried with backoff. */
  applyFailed: 'ApplyFailed',
  /** Unknown: first seen, nothing computed or applied yet. */
  reconciling: 'Reconciling',
  /** Migrating=True: the new version's workload is not Ready yet; the old one keeps running. */
  waitingForWorkload: 'WaitingForWorkload',
  /** Migrating=True: the new version is Ready; the old workload stops and hands its worlds over. */
  draining: 'Draining',
  /** Migrating=False: the old workload is gone; every version the world binds runs. */
  migrated: 'Migrated',
} as const;

/** Reasons of the Kubernetes Events (emitted on transitions only). */
export const EVENT_REASON = {
  /** The world became Resolved. */
  resolved: 'Resolved',
  /** The world became (or stays, for a new reason) unresolved; the message names the problem. */
  unresolved: 'Unresolved',
  /** The world's bindings changed while it stayed resolved (new provider, repair, removal). */
  bindingsChanged: 'BindingsChanged',
  /** Writing bindings failed. */
  applyFailed: 'ApplyFailed',
} as const;

/** Event types, as core/v1 Event.type. */
export const EVENT_TYPE = { normal: 'Normal', warning: 'Warning' } as const;
export type EventType = (typeof EVENT_TYPE)[keyof typeof EVENT_TYPE];
