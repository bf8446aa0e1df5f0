import { ownerAddressOf, type InitResponse, type WorldConfig } from '@anvil/engine-contract';
import { asDependencyError } from './dependency-error';
import type { PhysicsClients, PhysicsEngine } from './physics-clients';

/**
 * Inits the world on `physics`; when that replica answers that another one owns the world,
 * once more on the owner it names (docs/engine-contract.md, "Ownership and epochs").
 */
export async function initFollowing(
  clients: PhysicsClients,
  worldId: string,
  config: WorldConfig | undefined,
  physics: PhysicsEngine,
): Promise<{ response: InitResponse; physics: PhysicsEngine }> {
  try {
    return { response: await physics.calls.init({ worldId, config }), physics };
  } catch (error) {
    const owner = ownerAddressOf(error);
    if (owner === undefined || owner === physics.address) return asDependencyError(error);
    const next = clients.get(owner);
    const response = await next.calls.init({ worldId, config }).catch(asDependencyError);
    return { response, physics: next };
  }
}
