import { createStorage, MAX_RENEW_BATCH, type Storage } from '@anvil/storage';

/** The lease role of the physics engines (their worlds' placement). */
const PHYSICS_ROLE = 'physics';
import type { LeaseView, WorldRecord } from '@anvil/control-plane';
import type { WorldRegistry } from './world-registry';

/** The world registry in the `worlds` table of `@anvil/storage` (PostgreSQL in a cluster). */
export class StorageWorldRegistry implements WorldRegistry {
  /** What was last written per world id, so an unchanged world costs no write. */
  private readonly written = new Map<string, string>();

  constructor(private readonly storage: Storage) {}

  /** Connects (and applies pending migrations when `migrate`). */
  static async open(url: string, migrate: boolean): Promise<StorageWorldRegistry> {
    const storage = await createStorage({ url });
    try {
      if (migrate) await storage.migrate();
    } catch (error) {
      await storage.close();
      throw error;
    }
    return new StorageWorldRegistry(storage);
  }

  async record(world: WorldRecord): Promise<void> {
    const json = JSON.stringify(world);
    if (this.written.get(world.id) === json) return;
    await this.storage.worlds.upsert(world);
    this.written.set(world.id, json);
  }

  async remove(worldId: string): Promise<void> {
    await this.storage.worlds.delete(worldId);
    this.written.delete(worldId);
  }

  list(namespace?: string): Promise<Array<{ id: string; namespace: string; phase: string }>> {
    return this.storage.worlds.list(namespace === undefined ? {} : { namespace });
  }

  /** The physics leases (at most MAX_RENEW_BATCH: one page is plenty for one controller). */
  async placements(): Promise<Map<string, LeaseView>> {
    const leases = await this.storage.leases.list(PHYSICS_ROLE, { limit: MAX_RENEW_BATCH });
    return new Map(leases.map((lease) => [lease.worldId, lease]));
  }

  readableFormat(): Promise<number | undefined> {
    return this.storage.replicas.readableFormat(PHYSICS_ROLE);
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}
