import type { WorldInstanceStatus } from '@anvil/capability-model';
import {
  CONDITION,
  EVENT_REASON,
  EVENT_TYPE,
  REASON,
  findCondition,
  type EventType,
} from '@anvil/control-plane';

/** A Kubernetes Event to record on the world. */
export interface WorldEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** How many bindings a reconcile created, updated and deleted. */
export interface BindingChangeCounts {
  created: number;
  updated: number;
  deleted: number;
}

/** Longest Event message the controller sends (the API server allows 1 KiB for `note`). */
const MAX_MESSAGE = 1000;

/**
 * The Events a status change deserves, on transitions only (recomputing an unchanged world
 * yields none): `Resolved` when the world becomes resolved, `Unresolved` when it becomes
 * unresolved or the reason it is unresolved changes, `ApplyFailed` when writing bindings
 * starts failing, and `BindingsChanged` when bindings were written for a world that was and
 * stays resolved (a new provider version, a repaired or removed binding). Pure.
 */
export function transitionEvents(
  previous: WorldInstanceStatus | undefined,
  next: WorldInstanceStatus,
  changes?: BindingChangeCounts,
): WorldEvent[] {
  const events: WorldEvent[] = [];
  const before = findCondition(previous, CONDITION.resolved);
  const after = findCondition(next, CONDITION.resolved);
  if (after?.status === 'True' && before?.status !== 'True') {
    events.push({
      type: EVENT_TYPE.normal,
      reason: EVENT_REASON.resolved,
      message: clip(`world resolved: ${after.message}`),
    });
  } else if (
    after?.status === 'False' &&
    (before?.status !== 'False' || before.message !== after.message)
  ) {
    events.push({
      type: EVENT_TYPE.warning,
      reason: EVENT_REASON.unresolved,
      message: clip(after.message),
    });
  } else if (
    after?.status === 'True' &&
    changes &&
    changes.created + changes.updated + changes.deleted > 0
  ) {
    const { created, updated, deleted } = changes;
    events.push({
      type: EVENT_TYPE.normal,
      reason: EVENT_REASON.bindingsChanged,
      message: `bindings changed: ${created} created, ${updated} updated, ${deleted} deleted`,
    });
  }
  const readyBefore = findCondition(previous, CONDITION.ready);
  const readyAfter = findCondition(next, CONDITION.ready);
  if (readyAfter?.reason === REASON.applyFailed && readyBefore?.reason !== REASON.applyFailed) {
    events.push({
      type: EVENT_TYPE.warning,
      reason: EVENT_REASON.applyFailed,
      message: clip(readyAfter.message),
    });
  }
  return events;
}

function clip(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`;
}
