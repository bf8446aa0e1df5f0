/** A replica as placement sees it: its load and capacity. */
export interface ReplicaLoad {
  replicaId: string;
  worlds: number;
  bodies: number;
  maxWorlds: number;
  maxBodies: number;
  /** The newest state format it reads (it reads every older one); 1 when not said. */
  stateFormat?: number;
}

/** An orphaned world as the plan sees it. */
export interface OrphanWorld {
  worldId: string;
  /** The state format its last holder wrote; 1 when not said. */
  stateFormat?: number;
  /** The replica its last holder handed it to, when it named one. */
  to?: string;
}

/** Whether `replica` can restore a world written in `stateFormat`. */
/** Whether a replica has a world slot and some body headroom left. */
export const hasRoom = (r: Pick<ReplicaLoad, 'worlds' | 'bodies' | 'maxWorlds' | 'maxBodies'>) =>
  r.worlds < r.maxWorlds && r.bodies < r.maxBodies;

export function reads(replica: Pick<ReplicaLoad, 'stateFormat'>, stateFormat = 1): boolean {
  return (replica.stateFormat ?? 1) >= stateFormat;
}

/**
 * Which live replica takes each orphaned world: the replica its last holder handed it to, when
 * that one is among them, has room and reads its format; otherwise the one with the fewest
 * worlds that has room (a world slot and some body headroom) and reads the world's state format,
 * ties by id, each assignment counted before the next. Pure and independent of input order, so every replica
 * computes the same plan from the same reports and claims only its own share: they rarely race,
 * and when they do the lease decides. Worlds no replica has room for, or none reads, are left
 * out (they wait for capacity, or for a replica of a newer build), so a replica never takes a
 * world it would have to refuse and give back.
 */
export function planTakeover(
  orphans: readonly OrphanWorld[],
  replicas: readonly ReplicaLoad[],
): Map<string, string> {
  const load = [...replicas]
    .sort((a, b) => (a.replicaId < b.replicaId ? -1 : a.replicaId > b.replicaId ? 1 : 0))
    .map((r) => ({ ...r }));
  const formats = new Map<string, number>();
  const named = new Map<string, string>();
  for (const { worldId, stateFormat = 1, to } of orphans) {
    formats.set(worldId, Math.max(stateFormat, formats.get(worldId) ?? 1));
    if (to !== undefined && (named.get(worldId) ?? to) >= to) named.set(worldId, to);
  }
  const plan = new Map<string, string>();
  const worlds = [...formats.keys()].sort();
  for (const worldId of worlds) {
    const taker = load.find((r) => r.replicaId === named.get(worldId));
    if (!taker || !hasRoom(taker) || !reads(taker, formats.get(worldId))) continue;
    taker.worlds++;
    plan.set(worldId, taker.replicaId);
  }
  for (const worldId of worlds) {
    if (plan.has(worldId)) continue;
    let best: (typeof load)[number] | undefined;
    for (const r of load) {
      if (!hasRoom(r)) continue;
      if (!reads(r, formats.get(worldId))) continue;
      if (!best || r.worlds < best.worlds) best = r;
    }
    if (!best) continue;
    best.worlds++;
    plan.set(worldId, best.replicaId);
  }
  return plan;
}

/**
 * The replicas that may take orphans over: the live ones, less those that let one of these
 * leases end (dead with a report not yet expired, cut off from the store, or shutting down), so
 * no orphan is planned for a replica that will not take it and has to wait for another round.
 * When that leaves none (one replica that stalled past its leases), all of them.
 */
export function takers(
  replicas: readonly ReplicaLoad[],
  orphanHolders: Iterable<string>,
): ReplicaLoad[] {
  const gone = new Set(orphanHolders);
  const left = replicas.filter((r) => !gone.has(r.replicaId));
  return left.length > 0 ? left : [...replicas];
}
