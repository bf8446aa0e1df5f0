import type { LeaseRepository, ReplicaRepository } from '@anvil/storage';
import { holderOf, type OwnershipConfig } from './ownership-config';
import { awaitTaker } from './taker-wait';
import { TakeoverLoop, type Capacity } from './takeover-loop';
import { planTakeover } from './takeover-plan';
import { WorldOwnership } from './world-ownership';

/** Where a replica's ownership reports what happens (an app's logger). */
export interface OwnershipLog {
  log(message: string): void;
  warn(message: string): void;
}

/** This replica's world leases in `role` (holder: REPLICA_ID, else the host name and a suffix). */
export function replicaLeases(options: {
  leases: LeaseRepository;
  config: OwnershipConfig;
  role: string;
  address: () => string;
  log: OwnershipLog;
  /** The state format this replica writes (default 1). */
  stateFormat?: number;
}): WorldOwnership {
  const { config, log } = options;
  return new WorldOwnership({
    leases: options.leases,
    holder: holderOf(config),
    address: options.address,
    ttlMs: config.leaseTtlMs,
    renewEveryMs: config.renewEveryMs,
    role: options.role,
    stateFormat: options.stateFormat,
    onRenewError: (error) => log.warn(`renewing the world leases failed: ${String(error)}`),
  });
}

/**
 * Failover for the replica that holds `ownership`: brings back its share of the worlds of dead
 * replicas of its role. `lostRace` tells a takeover another replica won (nothing to report).
 */
export function replicaTakeover(options: {
  leases: LeaseRepository;
  replicas: ReplicaRepository;
  ownership: WorldOwnership;
  config: OwnershipConfig;
  address: () => string;
  capacity: () => Capacity;
  takeOver: (worldId: string, spec: Record<string, unknown>) => Promise<void>;
  lostRace: (error: unknown) => boolean;
  log: OwnershipLog;
  /** Rebalance (TakeoverOptions.shed); none: off. */
  shed?: (to: string) => Promise<void>;
  /** The newest state format this replica reads (default 1). */
  stateFormat?: number;
}): TakeoverLoop {
  const { ownership, config, log } = options;
  return new TakeoverLoop({
    leases: options.leases,
    replicas: options.replicas,
    replicaId: ownership.holder,
    address: options.address,
    everyMs: config.renewEveryMs,
    ttlMs: config.leaseTtlMs,
    role: ownership.role,
    capacity: options.capacity,
    takeOver: options.takeOver,
    shed: options.shed,
    stateFormat: options.stateFormat,
    onTaken: (worldId, ms) =>
      log.log(`world ${worldId}: taken over, about ${ms} ms after its owner's lease ended`),
    onError: (error, worldId) => {
      if (options.lostRace(error)) return;
      log.warn(`${worldId ? `world ${worldId}: ` : ''}takeover failed: ${String(error)}`);
    },
  });
}

/** Which replica a draining one hands each of its worlds to (undefined: none named). */
export type TakerOf = (worldId: string) => string | undefined;

/**
 * A draining replica's wait before it hands its worlds over (docs/decisions.md, "Moving a
 * world"): while other replicas are live and none reads its state format, its worlds go on
 * running here for up to `timeoutMs`, until one reports. Resolves with the taker of each world
 * (the takeover plan over the live readers' reports, which their own rounds compute alike), so
 * each is told at once; none when no reader reported.
 */
export async function waitForTaker(options: {
  replicas: ReplicaRepository;
  ownership: WorldOwnership;
  config: OwnershipConfig;
  /** The state format this replica writes. */
  stateFormat: number;
  timeoutMs: number;
  /** The worlds running here now. */
  worlds: () => readonly string[];
  log: OwnershipLog;
}): Promise<TakerOf> {
  const { ownership, stateFormat, timeoutMs, log } = options;
  const none: TakerOf = () => undefined;
  if (options.worlds().length === 0) return none;
  const wait = await awaitTaker({
    replicas: options.replicas,
    role: ownership.role,
    replicaId: ownership.holder,
    stateFormat,
    everyMs: options.config.renewEveryMs,
    timeoutMs,
    onWait: (newest) =>
      log.warn(
        `no other live replica reads state format ${stateFormat} (they read up to ${newest}): the ${options.worlds().length} worlds here go on running for up to ${timeoutMs} ms while one starts`,
      ),
  });
  if (wait.outcome === 'reader') {
    const orphans = options.worlds().map((worldId) => ({ worldId, stateFormat }));
    const plan = planTakeover(orphans, wait.readers);
    return (worldId) => plan.get(worldId);
  }
  if (wait.outcome === 'timeout')
    log.warn(
      `no replica that reads state format ${stateFormat} reported within ${timeoutMs} ms: the worlds are handed over anyway and wait, with their checkpoints and logs, for one`,
    );
  else if (wait.outcome === 'unknown')
    log.warn(
      `could not read the replicas' reports (${String(wait.error)}); handing the worlds over`,
    );
  return none;
}
