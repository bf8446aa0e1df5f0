import { ENTRY_CAPABILITY, GATEWAY_CONSUMER } from '@anvil/capability-model';
import type { World } from '@anvil/storage';

/** The most worlds whose route is remembered; past it the oldest is forgotten (and re-learnt). */
export const MAX_ROUTED_WORLDS = 100_000;

/**
 * Where a world's commands go: the address of its `game.interaction` provider, from the
 * gateway's entry binding the control plane wrote into the world's record, or `fallback`
 * (INTERACTION_ENGINE_ADDRESS) for a record without one.
 */
export function entryAddressOf(world: Pick<World, 'bindings'>, fallback: string): string {
  const entry = world.bindings.find(
    (b) => b.capabilityId === ENTRY_CAPABILITY && b.consumer === GATEWAY_CONSUMER,
  );
  return entry?.address || fallback;
}

/**
 * The route of each world this gateway started or admitted players to. Learnt from the world's
 * record on join and on every start (a start reads the record afresh, so a world whose game now
 * binds another module follows it once its old engine stops running it).
 */
export class EngineRoutes {
  private readonly routes = new Map<string, string>();
  /**
   * The replica that owns each world, where the module runs several (learnt from an Init's
   * owner-address answer): the world's calls go there instead of its entry address.
   */
  private readonly owners = new Map<string, string>();

  constructor(private readonly fallback: string) {}

  /**
   * Remembers the world's route from its record; returns the address, and calls `onMove` when it
   * replaced another one.
   */
  learn(
    world: Pick<World, 'id' | 'bindings'>,
    onMove?: (from: string, to: string) => void,
  ): string {
    const address = entryAddressOf(world, this.fallback);
    const previous = this.routes.get(world.id);
    if (previous !== undefined && previous !== address) {
      // Another module (version) now: its own replicas own the world.
      this.owners.delete(world.id);
      onMove?.(previous, address);
    }
    this.routes.delete(world.id);
    this.routes.set(world.id, address);
    if (this.routes.size > MAX_ROUTED_WORLDS) {
      const oldest = this.routes.keys().next().value as string;
      this.routes.delete(oldest);
      this.owners.delete(oldest);
    }
    return address;
  }

  /** The world's address: its owner's, else its learnt route, else the fallback. */
  of(worldId: string): string {
    return this.owners.get(worldId) ?? this.routes.get(worldId) ?? this.fallback;
  }

  /** The world's entry address (its module's, not its owner's): where to ask who owns it. */
  entryOf(worldId: string): string {
    return this.routes.get(worldId) ?? this.fallback;
  }

  /** Sends the world's calls to the replica that owns it (a routed world only). */
  setOwner(worldId: string, address: string): void {
    if (this.routes.has(worldId)) this.owners.set(worldId, address);
  }

  /** Forgets the world's owner (it died or lost the world): its calls go to the entry again. */
  forgetOwner(worldId: string): void {
    this.owners.delete(worldId);
  }

  /** The worlds with a learnt route. */
  worlds(): string[] {
    return [...this.routes.keys()];
  }

  /** The distinct addresses in use, the fallback first. */
  addresses(): string[] {
    return [...new Set([this.fallback, ...this.routes.values(), ...this.owners.values()])];
  }
}
