import type { LeaseRepository, ReplicaRepository } from '@anvil/storage';
import { holderOf, type OwnershipConfig } from './ownership-config';
import { TakeoverLoop, type Capacity } from './takeover-loop';
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
  shed?: () => Promise<void>;
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
