import type { LeaseView, WorldRecord } from '@anvil/control-plane';

/**
 * Where the controller publishes each world for the data plane: the gateway admits players to
 * Ready worlds and starts them on their engine with their bindings.
 */
export interface WorldRegistry {
  /** Writes the world's record (a no-op when it has not changed since the last write). */
  record(world: WorldRecord): Promise<void>;
  /** Removes a deleted world (with its checkpoints and sessions). */
  remove(worldId: string): Promise<void>;
  /** Every record, of one namespace or of all (to find worlds deleted while no one watched). */
  list(namespace?: string): Promise<Array<{ id: string; namespace: string; phase: string }>>;
  /** The worlds' physics leases by world id (where each world runs), when the registry has them. */
  placements?(): Promise<Map<string, LeaseView>>;
  /** The newest state format the live physics replicas read; undefined when none is live. */
  readableFormat?(): Promise<number | undefined>;
  close(): Promise<void>;
}
