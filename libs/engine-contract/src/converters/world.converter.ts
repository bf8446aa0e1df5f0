import type { WorldConfig } from '../generated/game/engine/v1/engine';
import type { WorldSettings } from '../domain/commands';
import { InvalidCommandError } from '../errors/engine-error';
import { requireIntInRange } from './validate';

/** Engine-independent defaults of a world's arena. */
export const DEFAULT_WORLD_SETTINGS: Readonly<WorldSettings> = {
  widthMm: 40_000,
  heightMm: 20_000,
  gravityYMmS2: -9_810,
  maxBodies: 10_000,
};

/** Bounds an arena must respect (mm); larger worlds lose float precision in a 2D engine. */
export const WORLD_LIMITS = {
  minSizeMm: 1_000,
  maxSizeMm: 1_000_000,
  maxAbsGravityMmS2: 100_000,
} as const;

/**
 * Wire WorldConfig -> WorldSettings with defaults filled in. `maxBodiesLimit` is the engine's
 * own cap; asking for more is INVALID_ARGUMENT.
 */
export function worldSettingsFromWire(
  config: WorldConfig | undefined,
  maxBodiesLimit: number,
): WorldSettings {
  const d = DEFAULT_WORLD_SETTINGS;
  const size = (v: number | undefined, field: string, fallback: number) =>
    v ? requireIntInRange(v, field, WORLD_LIMITS.minSizeMm, WORLD_LIMITS.maxSizeMm) : fallback;
  const g = WORLD_LIMITS.maxAbsGravityMmS2;
  if (config?.maxBodies && config.maxBodies > maxBodiesLimit) {
    throw new InvalidCommandError(
      `config.max_bodies ${config.maxBodies} exceeds this engine's limit ${maxBodiesLimit}`,
    );
  }
  return {
    widthMm: size(config?.widthMm, 'config.width_mm', d.widthMm),
    heightMm: size(config?.heightMm, 'config.height_mm', d.heightMm),
    gravityYMmS2:
      config?.gravityYMmS2 === undefined
        ? d.gravityYMmS2
        : requireIntInRange(config.gravityYMmS2, 'config.gravity_y_mm_s2', -g, g),
    maxBodies: config?.maxBodies || Math.min(d.maxBodies, maxBodiesLimit),
  };
}

/** WorldSettings -> wire WorldConfig (every field explicit). */
export function worldSettingsToWire(settings: WorldSettings): WorldConfig {
  return {
    widthMm: settings.widthMm,
    heightMm: settings.heightMm,
    gravityYMmS2: settings.gravityYMmS2,
    maxBodies: settings.maxBodies,
  };
}

/** True when two settings describe the same world (Init idempotency). */
export function sameWorldSettings(a: WorldSettings, b: WorldSettings): boolean {
  return (
    a.widthMm === b.widthMm &&
    a.heightMm === b.heightMm &&
    a.gravityYMmS2 === b.gravityYMmS2 &&
    a.maxBodies === b.maxBodies
  );
}
