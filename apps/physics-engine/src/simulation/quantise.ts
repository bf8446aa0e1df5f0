import type { RigidBody, Vector } from '@dimforge/rapier2d-deterministic-compat';
import type { BodyDelta } from '@anvil/bus';
import type { BodyKindName, BodyShapeName, BodyView } from '@anvil/engine-contract';

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
  /** The quantised motion last read (undefined before the first read). Plain fields: no allocation per tick. */
  x?: number;
  y?: number;
  angle?: number;
  vx?: number;
  vy?: number;
  /** Position in the id-sorted body list (delta order). */
  rank?: number;
  /** Diff bookkeeping: the step that last read this body. */
  readAt?: number;
}

/** What a record starts from: the body's identity and shape, and its Rapier body. */
export type BodyIdentity = Pick<
  BodyRecord,
  'id' | 'handle' | 'kind' | 'shape' | 'halfWidthMm' | 'halfHeightMm' | 'body'
>;

/**
 * A new record, linked from its Rapier body's `userData`. Every field the diff writes exists from
 * the start, so V8 keeps them all inside the object instead of in a property array added later:
 * one object to fetch per body and tick.
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
    x: undefined,
    y: undefined,
    angle: undefined,
    vx: undefined,
    vy: undefined,
    rank: undefined,
    readAt: undefined,
  };
  body.userData = record;
  return record;
}

// Rapier writes vectors into a target when given one: one per process, no allocation per read.
const translation: Vector = { x: 0, y: 0 };
const velocity: Vector = { x: 0, y: 0 };

/**
 * Reads the body's quantised motion and, when it differs from the last one read, stores it
 * and returns true.
 */
export function refreshQuantised(record: BodyRecord): boolean {
  const t = record.body.translation(translation);
  const v = record.body.linvel(velocity);
  const x = toMilli(t.x);
  const y = toMilli(t.y);
  const angle = toMilli(record.body.rotation());
  const vx = toMilli(v.x);
  const vy = toMilli(v.y);
  if (
    record.x === x &&
    record.y === y &&
    record.angle === angle &&
    record.vx === vx &&
    record.vy === vy
  )
    return false;
  record.x = x;
  record.y = y;
  record.angle = angle;
  record.vx = vx;
  record.vy = vy;
  return true;
}

/** The motion `refreshQuantised` last read. */
export function motionOf(record: BodyRecord): BodyMotion {
  return {
    id: record.id,
    x: record.x!,
    y: record.y!,
    angle: record.angle!,
    vx: record.vx!,
    vy: record.vy!,
  };
}

/** The record's current quantised view (read from Rapier; between steps it equals the last delta). */
export function viewOf(record: BodyRecord): BodyView {
  refreshQuantised(record);
  return {
    id: record.id,
    kind: record.kind,
    shape: record.shape,
    halfWidthMm: record.halfWidthMm,
    halfHeightMm: record.halfHeightMm,
    xMm: record.x!,
    yMm: record.y!,
    angleMrad: record.angle!,
    vxMmS: record.vx!,
    vyMmS: record.vy!,
  };
}
