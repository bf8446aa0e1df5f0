import type { CapabilityBinding } from '@anvil/capability-model';
import { semanticEqual } from '@anvil/control-plane';
import type { KubeMeta } from '../informers/kube-object';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../mapping/labels';
import type { BindingObject } from './desired-bindings';

/** A binding as read from the cache (full object metadata). */
export type ActualBinding = Omit<CapabilityBinding, 'metadata'> & { metadata: KubeMeta };

/** What to write so the actual bindings match the desired ones. */
export interface BindingPlan {
  /** Desired bindings that do not exist. */
  create: BindingObject[];
  /** Desired bindings whose spec, labels or owner reference differ from what exists. */
  update: BindingObject[];
  /** Bindings of this world, managed by us, that are no longer desired. */
  delete: Array<{ namespace: string; name: string; uid?: string }>;
}

/** True when the plan writes anything. */
export function hasChanges(plan: BindingPlan): boolean {
  return plan.create.length + plan.update.length + plan.delete.length > 0;
}

/**
 * Compares desired and actual bindings semantically (key order and absent-vs-undefined do
 * not matter). `actual` are the bindings labelled with the world; only those also labelled as
 * managed by us are ever deleted. A binding that is being deleted is left alone: its delete
 * event requeues the world, which then creates it again if it is still desired. Pure.
 */
export function planBindingChanges(
  desired: readonly BindingObject[],
  actual: readonly ActualBinding[],
): BindingPlan {
  const plan: BindingPlan = { create: [], update: [], delete: [] };
  const existing = new Map(actual.map((b) => [b.metadata.name, b]));
  const wanted = new Set(desired.map((b) => b.metadata.name));
  for (const binding of desired) {
    const current = existing.get(binding.metadata.name);
    if (!current) plan.create.push(binding);
    else if (current.metadata.deletionTimestamp) continue;
    else if (!upToDate(binding, current)) plan.update.push(binding);
  }
  for (const current of actual) {
    if (wanted.has(current.metadata.name) || current.metadata.deletionTimestamp) continue;
    if (current.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) continue;
    plan.delete.push({
      namespace: current.metadata.namespace ?? '',
      name: current.metadata.name,
      uid: current.metadata.uid,
    });
  }
  return plan;
}

/** Spec equal, our labels present, our controller owner reference present. */
function upToDate(desired: BindingObject, current: ActualBinding): boolean {
  if (!semanticEqual(desired.spec, current.spec)) return false;
  const labels = current.metadata.labels ?? {};
  if (Object.entries(desired.metadata.labels).some(([k, v]) => labels[k] !== v)) return false;
  const owners = current.metadata.ownerReferences ?? [];
  return desired.metadata.ownerReferences.every((want) =>
    owners.some((have) => semanticEqual(want, { ...have })),
  );
}
