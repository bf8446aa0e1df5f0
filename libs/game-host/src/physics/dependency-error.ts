import { EngineError, EngineErrorCode, EngineUnavailableError } from '@anvil/engine-contract';

/**
 * Rethrows a physics engine's answer for this engine's caller. A physics engine refusing this
 * engine's token is a deployment fault, not the caller's: UNAVAILABLE, not UNAUTHENTICATED.
 */
export function asDependencyError(error: unknown): never {
  if (error instanceof EngineError && error.code === EngineErrorCode.Unauthenticated) {
    throw new EngineUnavailableError(
      `the physics engine refused this engine's ENGINE_TOKEN: ${error.message}`,
      { cause: error },
    );
  }
  throw error;
}
