import {
  BodyKind as WireBodyKind,
  BodyShape as WireBodyShape,
  type BodyState,
  type SpawnBodyIntent,
} from '../generated/game/engine/v1/engine';
import type {
  BodyBasics,
  BodyKindName,
  BodyShapeName,
  BodySpec,
  BodyView,
} from '../domain/commands';
import { InvalidCommandError } from '../errors/engine-error';
import { requireId } from './validate';

const KIND_FROM_WIRE = new Map<WireBodyKind, BodyKindName>([
  [WireBodyKind.BODY_KIND_DYNAMIC, 'dynamic'],
  [WireBodyKind.BODY_KIND_KINEMATIC, 'kinematic'],
  [WireBodyKind.BODY_KIND_FIXED, 'fixed'],
]);
const KIND_TO_WIRE: Record<BodyKindName, WireBodyKind> = {
  dynamic: WireBodyKind.BODY_KIND_DYNAMIC,
  kinematic: WireBodyKind.BODY_KIND_KINEMATIC,
  fixed: WireBodyKind.BODY_KIND_FIXED,
};
const SHAPE_FROM_WIRE = new Map<WireBodyShape, BodyShapeName>([
  [WireBodyShape.BODY_SHAPE_BALL, 'ball'],
  [WireBodyShape.BODY_SHAPE_BOX, 'box'],
]);
const SHAPE_TO_WIRE: Record<BodyShapeName, WireBodyShape> = {
  ball: WireBodyShape.BODY_SHAPE_BALL,
  box: WireBodyShape.BODY_SHAPE_BOX,
};

/** Wire body kind -> domain; BODY_KIND_UNSPECIFIED means dynamic. */
export function bodyKindFromWire(kind: WireBodyKind): BodyKindName {
  if (kind === WireBodyKind.BODY_KIND_UNSPECIFIED) return 'dynamic';
  const domain = KIND_FROM_WIRE.get(kind);
  if (!domain) throw new InvalidCommandError(`unknown body kind ${kind}`);
  return domain;
}

/** Wire body shape -> domain; the shape must be set. */
export function bodyShapeFromWire(shape: WireBodyShape): BodyShapeName {
  const domain = SHAPE_FROM_WIRE.get(shape);
  if (!domain)
    throw new InvalidCommandError(
      `body shape must be BODY_SHAPE_BALL or BODY_SHAPE_BOX, got ${shape}`,
    );
  return domain;
}

/** Domain body kind -> wire. */
export const bodyKindToWire = (kind: BodyKindName): WireBodyKind => KIND_TO_WIRE[kind];
/** Domain body shape -> wire. */
export const bodyShapeToWire = (shape: BodyShapeName): WireBodyShape => SHAPE_TO_WIRE[shape];

/** A SpawnBodyIntent -> BodySpec (schema checks only; ranges are the engine's rules). */
export function bodySpecFromWire(intent: SpawnBodyIntent): BodySpec {
  const shape = bodyShapeFromWire(intent.shape);
  return {
    id: requireId(intent.bodyId, 'spawn_body.body_id'),
    kind: bodyKindFromWire(intent.kind),
    shape,
    halfWidthMm: intent.halfWidthMm,
    halfHeightMm: shape === 'ball' ? intent.halfWidthMm : intent.halfHeightMm,
    xMm: intent.xMm,
    yMm: intent.yMm,
    vxMmS: intent.vxMmS,
    vyMmS: intent.vyMmS,
    lockRotation: intent.lockRotation,
    ...(intent.frictionPermille === undefined ? {} : { frictionPermille: intent.frictionPermille }),
  };
}

/** The wire fields of SpawnBodyIntent and BodyState that both take from BodyBasics. */
function bodyBasicsToWire(body: BodyBasics) {
  return {
    bodyId: body.id,
    kind: bodyKindToWire(body.kind),
    shape: bodyShapeToWire(body.shape),
    halfWidthMm: body.halfWidthMm,
    halfHeightMm: body.halfHeightMm,
    xMm: body.xMm,
    yMm: body.yMm,
    vxMmS: body.vxMmS,
    vyMmS: body.vyMmS,
  };
}

/** BodySpec -> SpawnBodyIntent. */
export function bodySpecToWire(body: BodySpec): SpawnBodyIntent {
  return {
    ...bodyBasicsToWire(body),
    lockRotation: body.lockRotation,
    frictionPermille: body.frictionPermille,
  };
}

/** Quantised body view -> wire BodyState. */
export function bodyViewToWire(body: BodyView): BodyState {
  return { ...bodyBasicsToWire(body), angleMrad: body.angleMrad };
}

/** Wire BodyState -> quantised body view. */
export function bodyViewFromWire(body: BodyState): BodyView {
  return {
    id: body.bodyId,
    kind: bodyKindFromWire(body.kind),
    shape: bodyShapeFromWire(body.shape),
    halfWidthMm: body.halfWidthMm,
    halfHeightMm: body.halfHeightMm,
    xMm: body.xMm,
    yMm: body.yMm,
    angleMrad: body.angleMrad,
    vxMmS: body.vxMmS,
    vyMmS: body.vyMmS,
  };
}
