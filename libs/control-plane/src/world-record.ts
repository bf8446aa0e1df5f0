import {
  WORLD_PHASES,
  bindingAddresses,
  worldIdOf,
  type WorldBindingAddress,
  type WorldInstance,
  type WorldPhase,
} from '@anvil/capability-model';

/**
 * What the data plane reads of a world (the gateway's `worlds` table, `@anvil/storage`'s
 * WorldInput): its identity, phase and bindings.
 */
export interface WorldRecord {
  id: string;
  namespace: string;
  name: string;
  game: string;
  region: string;
  shards: number;
  phase: WorldPhase;
  bindings: WorldBindingAddress[];
}

/** A binding as worldRecord reads it: a CapabilityBinding object, or just its namespace and spec. */
export type RecordedBinding = Parameters<typeof bindingAddresses>[0][number];

/**
 * The record of a reconciled world: its data-plane id, its new phase and the addresses of the
 * bindings the controller wants it to have, then the gateway's `entry` binding (where players'
 * commands go: `entryBinding` of `@anvil/capability-model`) when the world has one. Until the
 * bindings are applied the phase is not Ready, so a Ready record always names bindings that exist.
 */
export function worldRecord(
  world: WorldInstance,
  phase: WorldPhase,
  bindings: readonly RecordedBinding[],
  entry?: WorldBindingAddress | null,
): WorldRecord {
  const namespace = world.metadata.namespace || 'default';
  return {
    id: worldIdOf(world.metadata),
    namespace,
    name: world.metadata.name,
    game: String(world.spec?.gameRef ?? ''),
    region: String(world.spec?.region ?? ''),
    shards: Number(world.spec?.shards) || 1,
    phase,
    bindings: entry ? [...bindingAddresses(bindings), entry] : bindingAddresses(bindings),
  };
}

/** The data-plane id of the world `namespace/name` (a work-queue key). */
export function worldIdOfKey(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0
    ? worldIdOf({ name: key })
    : worldIdOf({ namespace: key.slice(0, slash), name: key.slice(slash + 1) });
}

/**
 * The records to remove: worlds this controller published (their phase is one of its phases)
 * in the namespaces it watches whose WorldInstance no longer exists (deleted while no replica
 * was leading). Rows others wrote (another phase) are left alone.
 */
export function staleRecords(
  records: ReadonlyArray<{ id: string; phase: string }>,
  liveIds: ReadonlySet<string>,
): string[] {
  const ours = new Set<string>(WORLD_PHASES);
  return records.filter((r) => ours.has(r.phase) && !liveIds.has(r.id)).map((r) => r.id);
}
