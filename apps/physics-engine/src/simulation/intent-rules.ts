import {
  AlreadyExistsError,
  CapacityError,
  EntityNotFoundError,
  InvalidCommandError,
  PreconditionError,
  type BodyKindName,
  type PhysicsIntent,
  type WorldSettings,
} from '@anvil/engine-contract';

/** Physical limits of intents (docs/engine-contract.md "Limits"). */
export const IntentLimits = {
  minHalfSizeMm: 5,
  maxHalfSizeMm: 50_000,
  maxSpeedMmS: 100_000,
  maxImpulseMnS: 10_000_000,
} as const;

/** The body ids a world will have once its queue is applied, with their kinds. */
export type ProjectedBodies = Map<string, BodyKindName>;

function requireRange(value: number, field: string, min: number, max: number): void {
  if (value < min || value > max)
    throw new InvalidCommandError(`${field} must be in [${min}, ${max}], got ${value}`);
}

function requireMovable(projected: ProjectedBodies, bodyId: string): void {
  const kind = projected.get(bodyId);
  if (kind === undefined) throw new EntityNotFoundError('body', bodyId);
  if (kind === 'fixed')
    throw new PreconditionError(`body "${bodyId}" is fixed and cannot be moved`);
}

/**
 * Checks an intent against the world as it will be after the queued intents, so applying the
 * queue at the tick boundary can never fail. Throws the EngineError for the first violation;
 * on success updates `projected`.
 */
export function checkIntent(
  intent: PhysicsIntent,
  projected: ProjectedBodies,
  settings: WorldSettings,
): void {
  const v = IntentLimits.maxSpeedMmS;
  switch (intent.type) {
    case 'spawnBody': {
      const b = intent.body;
      if (projected.has(b.id)) throw new AlreadyExistsError(`body "${b.id}" already exists`);
      if (projected.size >= settings.maxBodies) {
        throw new CapacityError(`world is full: ${settings.maxBodies} bodies`);
      }
      requireRange(
        b.halfWidthMm,
        'spawn_body.half_width_mm',
        IntentLimits.minHalfSizeMm,
        IntentLimits.maxHalfSizeMm,
      );
      requireRange(
        b.halfHeightMm,
        'spawn_body.half_height_mm',
        IntentLimits.minHalfSizeMm,
        IntentLimits.maxHalfSizeMm,
      );
      requireRange(b.xMm, 'spawn_body.x_mm', 0, settings.widthMm);
      requireRange(b.yMm, 'spawn_body.y_mm', 0, settings.heightMm);
      requireRange(b.vxMmS, 'spawn_body.vx_mm_s', -v, v);
      requireRange(b.vyMmS, 'spawn_body.vy_mm_s', -v, v);
      if (b.frictionPermille !== undefined)
        requireRange(b.frictionPermille, 'spawn_body.friction_permille', 0, 2_000);
      projected.set(b.id, b.kind);
      return;
    }
    case 'removeBody':
      if (!projected.has(intent.bodyId)) throw new EntityNotFoundError('body', intent.bodyId);
      projected.delete(intent.bodyId);
      return;
    case 'setVelocity':
      if (intent.vxMmS === undefined && intent.vyMmS === undefined) {
        throw new InvalidCommandError('set_velocity needs vx_mm_s or vy_mm_s');
      }
      requireMovable(projected, intent.bodyId);
      if (intent.vxMmS !== undefined) requireRange(intent.vxMmS, 'set_velocity.vx_mm_s', -v, v);
      if (intent.vyMmS !== undefined) requireRange(intent.vyMmS, 'set_velocity.vy_mm_s', -v, v);
      return;
    case 'applyImpulse': {
      requireMovable(projected, intent.bodyId);
      const max = IntentLimits.maxImpulseMnS;
      requireRange(intent.ixMnS, 'apply_impulse.ix_mn_s', -max, max);
      requireRange(intent.iyMnS, 'apply_impulse.iy_mn_s', -max, max);
      return;
    }
  }
}
