import type { RigidBody } from '@dimforge/rapier2d-deterministic-compat';
import type { BodyDelta } from '@anvil/bus';
import type { BodyKindName, BodyShapeName } from '@anvil/engine-contract';

/** Millimetres per metre: Rapier works in metres, the wire in integer millimetres. */
export const MM_PER_M = 1000;

/** Metres -> whole millimetres (also radians -> milliradians, m/s -> mm/s). */
export const toMilli = (value: number): number => {
  const q = Math.round(value * MM_PER_M);
  return q === 0 ? 0 : q; // never -0
};

/** A body's quantised motion after a tick: exactly the bus event's BodyDelta. */
export type BodyMotion = BodyDelta;

/** What the engine knows about a body besides Rapier's state. */
export interface BodyRecord {
  id: string;
  handle: number;
  kind: BodyKindName;
  shape: BodyShapeName;
  halfWidthMm: number;
  halfHeightMm: number;
  body: RigidBody;
  /** Position in the id-sorted body list (delta order), kept by the MotionTracker. */
  rank?: number;
}

/** What a record starts from: the body's identity and shape, and its Rapier body. */
export type BodyIdentity = Pick<
  BodyRecord,
  'id' | 'handle' | 'kind' | 'shape' | 'halfWidthMm' | 'halfHeightMm' | 'body'
>;

/**
 * A new record, linked from its Rapier body's `userData`. `rank` exists from the start, so V8
 * keeps every field inside the object rather than in a property array added later.
 */
export function newBodyRecord(identity: BodyIdentity): BodyRecord {
  const { id, handle, kind, shape, halfWidthMm, halfHeightMm, body } = identity;
  const record: BodyRecord = {
    id,
    handle,
    kind,
    shape,
    halfWidthMm,
    halfHeightMm,
    body,
    rank: undefined,
  };
  body.userData = record;
  return record;
}
