import {
  ownerAddressOf,
  placedInit,
  type InitResponse,
  type WorldConfig,
} from '@anvil/engine-contract';
import { asDependencyError } from './dependency-error';
import type { PhysicsClients, PhysicsEngine } from './physics-clients';

/** How many owner answers one Init follows (a world placed elsewhere, then owned by a third). */
const MAX_OWNER_HOPS = 3;

/**
 * Inits the world on `physics`; when that replica answers that another one owns the world (or
 * should start it: placement), again on the replica it names, a few hops at most
 * (docs/engine-contract.md, "Ownership and epochs").
 */
export async function initFollowing(
  clients: PhysicsClients,
  worldId: string,
  config: WorldConfig | undefined,
  physics: PhysicsEngine,
): Promise<{ response: InitResponse; physics: PhysicsEngine }> {
  for (let hop = 0; ; hop++) {
    try {
      const options = hop > 0 ? { metadata: placedInit() } : undefined;
      return { response: await physics.calls.init({ worldId, config }, options), physics };
    } catch (error) {
      const owner = ownerAddressOf(error);
      if (owner === undefined || owner === physics.address || hop >= MAX_OWNER_HOPS)
        return asDependencyError(error);
      physics = clients.get(owner);
    }
  }
}
