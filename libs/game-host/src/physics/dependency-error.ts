import {
  EngineError,
  EngineErrorCode,
  EngineUnavailableError,
  isSenderFencedError,
  isUnknownWorldError,
  ownerAddressOf,
} from '@anvil/engine-contract';

/**
 * Rethrows a physics engine's answer for this engine's caller. A physics engine refusing this
 * engine's token is a deployment fault, not the caller's: UNAVAILABLE, not UNAUTHENTICATED. A
 * physics engine that does not run the world (yet: it is being taken over) is UNAVAILABLE too:
 * this engine runs the world, so an unknown-world answer would send its caller to start it
 * here again instead of waiting for physics. A physics owner answer not followed (the replica
 * named still holds the lease of a dead one, or too many hops) is UNAVAILABLE as well: the
 * address in it is a physics replica's, and this engine's caller would take it for this
 * engine's owner and send the world's commands to the physics engine. Physics refusing this
 * engine's lease (a successor owns the world) is UNAVAILABLE: the caller finds the world's
 * owner and sends the command there.
 */
export function asDependencyError(error: unknown): never {
  if (error instanceof EngineError && error.code === EngineErrorCode.Unauthenticated) {
    throw new EngineUnavailableError(
      `the physics engine refused this engine's ENGINE_TOKEN: ${error.message}`,
      { cause: error },
    );
  }
  if (isUnknownWorldError(error)) {
    throw new EngineUnavailableError(
      `the physics engine does not run the world yet: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (isSenderFencedError(error)) {
    throw new EngineUnavailableError(
      `this replica no longer owns the world, its physics engine says: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const physicsOwner = ownerAddressOf(error);
  if (physicsOwner !== undefined) {
    throw new EngineUnavailableError(
      `the world's physics is owned by ${physicsOwner}, which does not run it yet: ${(error as Error).message}`,
      { cause: error },
    );
  }
  throw error;
}
