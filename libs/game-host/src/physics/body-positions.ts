import type { BodyState } from '@anvil/engine-contract';
import type { BodyPositions } from '../rules/game-rules';

/** The positions of a physics Snapshot's bodies, by body id. */
export function bodyPositions(bodies: readonly BodyState[]): BodyPositions {
  return new Map(bodies.map((b) => [b.bodyId, { xMm: b.xMm, yMm: b.yMm }]));
}
