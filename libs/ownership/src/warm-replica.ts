import type { Storage } from '@anvil/storage';
import type { OwnershipLog } from './replica-ownership';

/**
 * Pooled storage connections a replica opens at start and keeps open. A drain or an upgrade
 * hands a replica that just started a dozen worlds at once, each an acquisition and a checkpoint
 * read, which a cold replica served in up to 1.2 s in the failover suite's upgrade (opening
 * connections, loading Prisma's query compiler), while the worlds' leases ran out.
 */
export const REPLICA_WARM_CONNECTIONS = 5;

/**
 * Readies what a replica's first takeovers use, before it serves: its storage connections
 * (awaited: the database was just migrated through the same pool) and its bus's producer (in
 * the background: a bus still coming up only delays the first publish, as before).
 */
export async function warmReplica(
  storage: Pick<Storage, 'warm'>,
  bus: { connect?(): Promise<void> },
  log: OwnershipLog,
): Promise<void> {
  void bus
    .connect?.()
    .catch((error: unknown) =>
      log.warn(
        `connecting the bus at start failed (the first publish tries again): ${String(error)}`,
      ),
    );
  await storage.warm(REPLICA_WARM_CONNECTIONS);
}
