import {
  DIAGNOSTIC_CODES,
  isResolved,
  type Condition,
  type ConditionStatus,
  type Resolution,
  type WorldInstance,
  type WorldInstanceStatus,
  type WorldPhase,
} from '@anvil/capability-model';
import { CONDITION, REASON } from './reasons';
import { semanticEqual } from './semantic-equal';

/** What happened to the bindings in this reconcile. */
export type ApplyOutcome =
  /** The desired bindings are in place (written now, or already there). */
  | { state: 'applied' }
  /** Writing failed; the message goes to the Ready condition. */
  | { state: 'failed'; message: string }
  /** Nothing applied yet (first sight). */
  | { state: 'pending' };

/** Most diagnostics kept in status (the rest are counted in the Resolved message). */
export const MAX_STATUS_DIAGNOSTICS = 50;

/**
 * The world's next status (Kubernetes API conventions, kubebuilder's memcached example):
 * observedGeneration, `Resolved` and `Ready` conditions with type/status/reason/message whose
 * lastTransitionTime only moves when the status changes, a phase for `kubectl get worlds`,
 * the binding count, and every diagnostic. Conditions that cannot be known yet are `Unknown`.
 * Pure: the same inputs give the same status, so an unchanged world is never rewritten.
 */
export function computeWorldStatus(
  world: WorldInstance,
  resolution: Resolution,
  previous: WorldInstanceStatus | undefined,
  now: Date,
  outcome: ApplyOutcome = { state: 'applied' },
): WorldInstanceStatus {
  const generation = world.metadata.generation;
  const resolved = resolvedCondition(resolution);
  const ready = readyCondition(resolved.status, outcome, resolution.bindings.length);
  const conditions = [resolved, ready].map((c) =>
    withTransition(
      { ...c, ...(generation !== undefined ? { observedGeneration: generation } : {}) },
      previous,
      now,
    ),
  );
  const status: WorldInstanceStatus = {
    phase: phaseOf(resolved.status, ready.status),
    conditions,
    bindingCount: resolution.bindings.length,
    diagnostics: resolution.diagnostics.slice(0, MAX_STATUS_DIAGNOSTICS),
  };
  if (generation !== undefined) status.observedGeneration = generation;
  return status;
}

/** True when writing `next` over `previous` would change nothing. */
export function sameStatus(
  previous: WorldInstanceStatus | undefined,
  next: WorldInstanceStatus,
): boolean {
  // `placement` and the Migrating condition have writers of their own (the placement and workload
  // syncs): resolution neither sets nor compares them.
  const { placement: _theirs, ...resolved } = previous ?? {};
  if (resolved.conditions)
    resolved.conditions = resolved.conditions.filter((c) => c.type !== CONDITION.migrating);
  return semanticEqual(resolved, next);
}

/** The condition of `type` in a status. */
export function findCondition(
  status: WorldInstanceStatus | undefined,
  type: string,
): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

type Draft = Omit<Condition, 'lastTransitionTime'>;

function resolvedCondition(resolution: Resolution): Draft {
  const errors = resolution.diagnostics.filter((d) => d.severity === 'error');
  const warnings = resolution.diagnostics.length - errors.length;
  const count = resolution.bindings.length;
  if (isResolved(resolution)) {
    const message =
      `${count} binding${count === 1 ? '' : 's'}` +
      (warnings > 0 ? `; ${warnings} optional requirement(s) unresolved` : '');
    return {
      type: CONDITION.resolved,
      status: 'True',
      reason: warnings > 0 ? REASON.resolvedWithWarnings : REASON.resolved,
      message,
    };
  }
  const reason = errors.some((d) => d.code === DIAGNOSTIC_CODES.gameNotFound)
    ? REASON.gameNotFound
    : REASON.requirementsUnresolved;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})`
      : '';
  return {
    type: CONDITION.resolved,
    status: 'False',
    reason,
    message: `${errors[0].message}${more}`,
  };
}

function readyCondition(resolved: ConditionStatus, outcome: ApplyOutcome, count: number): Draft {
  const type = CONDITION.ready;
  if (resolved === 'False')
    return {
      type,
      status: 'False',
      reason: REASON.unresolved,
      message: 'the world has unresolved required capabilities; see the Resolved condition',
    };
  if (outcome.state === 'failed')
    return { type, status: 'False', reason: REASON.applyFailed, message: outcome.message };
  if (outcome.state === 'pending')
    return {
      type,
      status: 'Unknown',
      reason: REASON.reconciling,
      message: 'bindings are being applied',
    };
  return {
    type,
    status: 'True',
    reason: REASON.bindingsReady,
    message: `${count} binding${count === 1 ? '' : 's'} in place`,
  };
}

function withTransition(
  draft: Draft,
  previous: WorldInstanceStatus | undefined,
  now: Date,
): Condition {
  const before = findCondition(previous, draft.type);
  const lastTransitionTime =
    before && before.status === draft.status && before.lastTransitionTime
      ? before.lastTransitionTime
      : timestamp(now);
  return {
    type: draft.type,
    status: draft.status,
    reason: draft.reason,
    message: draft.message,
    ...(draft.observedGeneration !== undefined
      ? { observedGeneration: draft.observedGeneration }
      : {}),
    lastTransitionTime,
  };
}

function phaseOf(resolved: ConditionStatus, ready: ConditionStatus): WorldPhase {
  if (resolved === 'False') return 'Unresolved';
  if (resolved === 'Unknown') return 'Pending';
  return ready === 'True' ? 'Ready' : 'Resolved';
}

/** metav1.Time: RFC 3339 in UTC with second precision. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
