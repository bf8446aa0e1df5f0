import type { World } from '@dimforge/rapier2d-deterministic-compat';
import type { BodySpec, PhysicsIntent } from '@anvil/engine-contract';
import type { Rapier } from './rapier';
import { MM_PER_M, newBodyRecord, type BodyRecord } from './quantise';

/** Body ids and their records, one world. */
export type BodyTable = Map<string, BodyRecord>;

function createBody(rapier: Rapier, world: World, spec: BodySpec): BodyRecord {
  const m = MM_PER_M;
  const desc =
    spec.kind === 'fixed'
      ? rapier.RigidBodyDesc.fixed()
      : spec.kind === 'kinematic'
        ? rapier.RigidBodyDesc.kinematicVelocityBased()
        : rapier.RigidBodyDesc.dynamic();
  desc.setTranslation(spec.xMm / m, spec.yMm / m).setLinvel(spec.vxMmS / m, spec.vyMmS / m);
  if (spec.lockRotation) desc.lockRotations();
  const body = world.createRigidBody(desc);
  const collider =
    spec.shape === 'ball'
      ? rapier.ColliderDesc.ball(spec.halfWidthMm / m)
      : rapier.ColliderDesc.cuboid(spec.halfWidthMm / m, spec.halfHeightMm / m);
  world.createCollider(
    collider.setFriction((spec.frictionPermille ?? 700) / 1000).setRestitution(0.1),
    body,
  );
  return newBodyRecord({
    id: spec.id,
    handle: body.handle,
    kind: spec.kind,
    shape: spec.shape,
    halfWidthMm: spec.halfWidthMm,
    halfHeightMm: spec.halfHeightMm,
    body,
  });
}

/**
 * Applies one (already validated) intent to the Rapier world. Returns the id of the body it
 * touched and whether that body was removed.
 */
export function applyIntent(
  rapier: Rapier,
  world: World,
  bodies: BodyTable,
  intent: PhysicsIntent,
): string {
  const m = MM_PER_M;
  switch (intent.type) {
    case 'spawnBody': {
      bodies.set(intent.body.id, createBody(rapier, world, intent.body));
      return intent.body.id;
    }
    case 'removeBody': {
      const record = bodies.get(intent.bodyId)!;
      world.removeRigidBody(record.body);
      bodies.delete(intent.bodyId);
      return intent.bodyId;
    }
    case 'setVelocity': {
      const body = bodies.get(intent.bodyId)!.body;
      const v = body.linvel();
      body.setLinvel(
        {
          x: intent.vxMmS === undefined ? v.x : intent.vxMmS / m,
          y: intent.vyMmS === undefined ? v.y : intent.vyMmS / m,
        },
        true,
      );
      return intent.bodyId;
    }
    case 'applyImpulse': {
      const body = bodies.get(intent.bodyId)!.body;
      // mN s -> N s (kg m/s)
      body.applyImpulse({ x: intent.ixMnS / 1000, y: intent.iyMnS / 1000 }, true);
      return intent.bodyId;
    }
  }
}
