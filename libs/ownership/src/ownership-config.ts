import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError, int } from '@anvil/runtime';

/** The variables of every engine that owns worlds, to spread into its `z.object`. */
export const ownershipEnv = {
  /** This replica's name among the module's replicas (its pod name); default: host name + random suffix. */
  REPLICA_ID: z.string().min(1).max(253).optional(),
  /** host:port other processes reach this replica at (pod DNS); default: the loopback address it binds. */
  ADVERTISE_ADDRESS: z.string().min(1).max(253).optional(),
  /** How long a world's lease lasts unrenewed: a dead replica's worlds wait this long. */
  WORLD_LEASE_TTL_MS: int(100, 600_000).default(1_000),
  /** How often a replica renews all its leases (must be well under the TTL). */
  WORLD_LEASE_RENEW_MS: int(10, 300_000).default(250),
};

type OwnershipEnv = z.output<z.ZodObject<typeof ownershipEnv>>;

/** World ownership's settings, used when the engine has storage. */
export interface OwnershipConfig {
  replicaId?: string;
  advertiseAddress?: string;
  leaseTtlMs: number;
  renewEveryMs: number;
}

/** The validated variables as an OwnershipConfig; ConfigError (for `app`) when they do not fit. */
export function toOwnershipConfig(app: string, e: OwnershipEnv): OwnershipConfig {
  if (e.WORLD_LEASE_RENEW_MS * 2 > e.WORLD_LEASE_TTL_MS) {
    throw new ConfigError(app, [
      `WORLD_LEASE_RENEW_MS (${e.WORLD_LEASE_RENEW_MS}) must be at most half of WORLD_LEASE_TTL_MS (${e.WORLD_LEASE_TTL_MS})`,
    ]);
  }
  return {
    replicaId: e.REPLICA_ID,
    advertiseAddress: e.ADVERTISE_ADDRESS,
    leaseTtlMs: e.WORLD_LEASE_TTL_MS,
    renewEveryMs: e.WORLD_LEASE_RENEW_MS,
  };
}

/**
 * The lease holder: REPLICA_ID, else unique per start (a restarted process is a new owner, and
 * two engines in one process differ).
 */
export function holderOf(config: Pick<OwnershipConfig, 'replicaId'>): string {
  return config.replicaId ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
}
