/**
 * Domain commands: the validated form of the wire `Command` oneof. Player commands carry
 * floats (validated finite); physics intents carry integers in mm, mm/s and mN s.
 */

/** How the simulation moves a body. */
export type BodyKindName = 'dynamic' | 'kinematic' | 'fixed';
/** Collider shape: a ball uses halfWidthMm as its radius. */
export type BodyShapeName = 'ball' | 'box';

/** What a body's spec and its quantised view share: identity, size, position and velocity. */
export interface BodyBasics {
  id: string;
  kind: BodyKindName;
  shape: BodyShapeName;
  halfWidthMm: number;
  halfHeightMm: number;
  xMm: number;
  yMm: number;
  vxMmS: number;
  vyMmS: number;
}

/** Everything needed to create a body. */
export interface BodySpec extends BodyBasics {
  lockRotation: boolean;
  /** Friction coefficient in thousandths; undefined means the engine default (700). */
  frictionPermille?: number;
}

/** A player's command, handled by the interaction engine. */
export type PlayerCommand =
  | { type: 'join'; playerId: string }
  | { type: 'leave'; playerId: string }
  | { type: 'move'; playerId: string; dx: number; dy: number }
  | { type: 'jump'; playerId: string }
  | { type: 'interact'; playerId: string; targetId: string };

/** An intent the physics engine applies at a tick boundary. */
export type PhysicsIntent =
  | { type: 'spawnBody'; body: BodySpec }
  | { type: 'removeBody'; bodyId: string }
  | { type: 'setVelocity'; bodyId: string; vxMmS?: number; vyMmS?: number }
  | { type: 'applyImpulse'; bodyId: string; ixMnS: number; iyMnS: number };

/** A module-specific command; engines that do not know `moduleType` refuse it. */
export interface ModuleCommandInput {
  type: 'module';
  moduleType: string;
  payload: Uint8Array;
}

/** Any command an engine may receive. */
export type EngineCommand = PlayerCommand | PhysicsIntent | ModuleCommandInput;

/** The `type` of every player command. */
export const PLAYER_COMMAND_TYPES = ['join', 'leave', 'move', 'jump', 'interact'] as const;
/** The `type` of every physics intent. */
export const PHYSICS_INTENT_TYPES = [
  'spawnBody',
  'removeBody',
  'setVelocity',
  'applyImpulse',
] as const;

/** True for commands the interaction engine handles. */
export function isPlayerCommand(command: EngineCommand): command is PlayerCommand {
  return (PLAYER_COMMAND_TYPES as readonly string[]).includes(command.type);
}

/** True for intents the physics engine applies. */
export function isPhysicsIntent(command: EngineCommand): command is PhysicsIntent {
  return (PHYSICS_INTENT_TYPES as readonly string[]).includes(command.type);
}

/** A body quantised to integers (mm, mrad, mm/s), as in snapshots and deltas. */
export interface BodyView extends BodyBasics {
  angleMrad: number;
}

/** A world's arena, defaults filled in. */
export interface WorldSettings {
  widthMm: number;
  heightMm: number;
  gravityYMmS2: number;
  maxBodies: number;
}
