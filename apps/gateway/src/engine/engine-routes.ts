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
    if (previous !== undefined && previous !== address) onMove?.(previous, address);
    this.routes.delete(world.id);
    this.routes.set(world.id, address);
    if (this.routes.size > MAX_ROUTED_WORLDS) {
      const oldest = this.routes.keys().next().value as string;
      this.routes.delete(oldest);
    }
    return address;
  }

  /** The world's address: its learnt route, else the fallback. */
  of(worldId: string): string {
    return this.routes.get(worldId) ?? this.fallback;
  }

  /** The worlds with a learnt route. */
  worlds(): string[] {
    return [...this.routes.keys()];
  }

  /** The distinct addresses in use, the fallback first. */
  addresses(): string[] {
    return [...new Set([this.fallback, ...this.routes.values()])];
  }
}
