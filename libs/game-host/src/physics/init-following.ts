import {
  ownerAddressOf,
  placedInit,
  type InitResponse,
  type SenderLease,
  type WorldConfig,
} from '@anvil/engine-contract';
import { asDependencyError } from './dependency-error';
import type { PhysicsClients, PhysicsEngine } from './physics-clients';

/** How many owner answers one Init follows (a world placed elsewhere, then owned by a third). */
const MAX_OWNER_HOPS = 3;

/**
 * Inits the world on `physics`; when that replica answers that another one owns the world (or
 * should start it: placement), again on the replica it names, a few hops at most
 * (docs/engine-contract.md, "Ownership and epochs"). The engine returned is the replica that
 * runs the world, by the address its answer names when it has one: `physics` may be a
 * load-balanced address that sends the next call to another replica. `sender`: this engine's
 * lease on the world, so physics refuses its predecessor's later calls ("Fencing the caller").
 */
export async function initFollowing(
  clients: PhysicsClients,
  worldId: string,
  config: WorldConfig | undefined,
  physics: PhysicsEngine,
  sender?: SenderLease,
): Promise<{ response: InitResponse; physics: PhysicsEngine }> {
  for (let hop = 0; ; hop++) {
    try {
      const options = hop > 0 ? { metadata: placedInit() } : undefined;
      const response = await physics.calls.init({ worldId, config, sender }, options);
      const owner = response.ownerAddress;
      return {
        response,
        physics: owner && owner !== physics.address ? clients.get(owner) : physics,
      };
    } catch (error) {
      const owner = ownerAddressOf(error);
      if (owner === undefined || owner === physics.address || hop >= MAX_OWNER_HOPS)
        return asDependencyError(error);
      physics = clients.get(owner);
    }
  }
}
