import { CapacityError } from '../errors/engine-error';

/**
 * Refuses a new body when the engine already holds `maxBodiesTotal` bodies over all its worlds
 * (MAX_BODIES_TOTAL); the per-world limit is the world's own `max_bodies`.
 */
export function requireBodyRoom(totalBodies: number, maxBodiesTotal: number): void {
  if (totalBodies >= maxBodiesTotal) {
    throw new CapacityError(
      `engine is full: ${maxBodiesTotal} bodies in all worlds (MAX_BODIES_TOTAL)`,
    );
  }
}
