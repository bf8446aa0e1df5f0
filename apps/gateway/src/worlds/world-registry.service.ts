import { Inject, Injectable } from '@nestjs/common';
import { StorageError, type Storage, type World } from '@anvil/storage';
import { GatewayConfigService } from '../config/gateway-config.service';
import { ErrorCode } from '../errors/error-codes';
import { StorageUnavailableError, WorldAccessError } from '../errors/gateway-error';
import { STORAGE } from '../storage/storage.tokens';

/** How long a world lookup is reused (ms). */
export const REGISTRY_CACHE_MS = 1_000;

/**
 * Which worlds exist and may be joined: the `worlds` table of `@anvil/storage`, which the
 * control plane (or the embedded launcher) keeps up to date with each WorldInstance's phase.
 * A world is joinable when its phase is one of WORLD_READY_PHASES (lookups are cached for
 * REGISTRY_CACHE_MS); whether its engine really runs it is checked by the join itself.
 */
@Injectable()
export class WorldRegistryService {
  private readonly readyPhases: ReadonlySet<string>;
  /** Recent lookups: a join storm reads each world once a second, not once per player. */
  private readonly cache = new Map<string, { at: number; world: Promise<World | null> }>();

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    config: GatewayConfigService,
  ) {
    this.readyPhases = new Set(config.get('worlds').readyPhases);
  }

  /**
   * The world when it exists and is ready; throws WORLD_NOT_FOUND / WORLD_NOT_READY. `fresh`
   * reads the registry as it is now instead of a lookup up to REGISTRY_CACHE_MS old.
   */
  async requireReady(worldId: string, { fresh = false } = {}): Promise<World> {
    if (fresh) this.cache.delete(worldId);
    const world = await this.find(worldId);
    if (!world)
      throw new WorldAccessError(
        ErrorCode.WorldNotFound,
        worldId,
        `world "${worldId}" does not exist`,
      );
    if (!this.readyPhases.has(world.phase)) {
      throw new WorldAccessError(
        ErrorCode.WorldNotReady,
        worldId,
        `world "${worldId}" is ${world.phase}, not ready`,
      );
    }
    return world;
  }

  /** Every registered world (admin). */
  async list(): Promise<World[]> {
    try {
      return await this.storage.worlds.list();
    } catch (cause) {
      throw new StorageUnavailableError('the world registry is unavailable', { cause });
    }
  }

  private find(worldId: string): Promise<World | null> {
    const now = Date.now();
    const cached = this.cache.get(worldId);
    if (cached && now - cached.at < REGISTRY_CACHE_MS) return cached.world;
    if (this.cache.size > 10_000) this.cache.clear();
    const world = this.read(worldId);
    this.cache.set(worldId, { at: now, world });
    world.catch(() => this.cache.delete(worldId));
    return world;
  }

  private async read(worldId: string): Promise<World | null> {
    try {
      return await this.storage.worlds.get(worldId);
    } catch (cause) {
      if (cause instanceof StorageError && cause.code === 'STORAGE_INVALID_INPUT') return null;
      throw new StorageUnavailableError('the world registry is unavailable', { cause });
    }
  }
}
