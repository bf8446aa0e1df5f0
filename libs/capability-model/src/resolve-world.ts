import { resolve } from './resolve';
import {
  DIAGNOSTIC_CODES,
  type GameDefinition,
  type ModuleManifest,
  type Resolution,
  type WorldInstance,
} from './types';

/**
 * Resolves a world whose GameDefinition may be missing (the controller, the CLI and the
 * embedded host look the game up by `spec.gameRef` in the world's namespace): without a game
 * the world has no bindings and one `GameNotFound` error.
 */
export function resolveWorld(
  world: WorldInstance,
  game: GameDefinition | undefined,
  manifests: ModuleManifest[],
): Resolution {
  if (game) return resolve(world, game, manifests);
  const namespace = world.metadata?.namespace ?? 'default';
  const gameRef = String(world.spec?.gameRef);
  return {
    bindings: [],
    participants: [],
    diagnostics: [
      {
        severity: 'error',
        code: DIAGNOSTIC_CODES.gameNotFound,
        consumer: '',
        capabilityId: '',
        message: `world ${world.metadata?.name}: spec.gameRef names GameDefinition "${gameRef}", which is not in namespace ${namespace}`,
        candidates: [],
      },
    ],
  };
}
