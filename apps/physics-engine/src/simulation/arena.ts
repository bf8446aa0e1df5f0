import type { World } from '@dimforge/rapier2d-deterministic-compat';
import type { WorldSettings } from '@anvil/engine-contract';
import type { Rapier } from './rapier';
import { MM_PER_M } from './quantise';

/** Thickness of the floor, walls and ceiling, metres. */
const WALL = 1;

/**
 * Adds the arena's fixed colliders: a floor under y = 0, walls left of x = 0 and right of
 * x = width, and a ceiling above y = height, so bodies stay inside the world's bounds.
 */
export function buildArena(rapier: Rapier, world: World, settings: WorldSettings): void {
  const w = settings.widthMm / MM_PER_M;
  const h = settings.heightMm / MM_PER_M;
  const pieces: Array<[number, number, number, number]> = [
    [w / 2, -WALL / 2, w / 2 + WALL, WALL / 2], // floor
    [w / 2, h + WALL / 2, w / 2 + WALL, WALL / 2], // ceiling
    [-WALL / 2, h / 2, WALL / 2, h / 2], // left wall
    [w + WALL / 2, h / 2, WALL / 2, h / 2], // right wall
  ];
  for (const [x, y, hx, hy] of pieces) {
    world.createCollider(rapier.ColliderDesc.cuboid(hx, hy).setTranslation(x, y).setFriction(0.7));
  }
}
