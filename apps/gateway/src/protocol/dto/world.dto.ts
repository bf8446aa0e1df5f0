import type { BodyDelta } from '@anvil/bus';

/** `world:join`, `world:leave`, `world:snapshot` payload. */
export interface WorldRequestDto {
  worldId: string;
  /** Optional W3C traceparent for the audit log and the engine call. */
  trace?: string;
}

/** A body as a client draws it: position (mm), angle (mrad), velocity (mm/s), size and shape. */
export interface BodySnapshotDto {
  id: string;
  shape: 'ball' | 'box';
  kind: 'dynamic' | 'kinematic' | 'fixed';
  /** Half extents in mm (a ball's radius is hw). */
  hw: number;
  hh: number;
  x: number;
  y: number;
  angle: number;
  vx: number;
  vy: number;
}

/** A world's state at a tick. */
export interface WorldSnapshotDto {
  worldId: string;
  tick: number;
  bodies: BodySnapshotDto[];
}

/** Ack of `world:join`. */
export interface JoinAckDto extends WorldSnapshotDto {
  ok: true;
  playerId: string;
  /** The body that represents this player. */
  bodyId: string;
  /** The game's latest state this gateway saw (absent until the game published one). */
  gameState?: GameStateDto;
}

/**
 * `world:state` event: the state a world's game module shows its players, passed through
 * unchanged from the bus (`dev.anvil.interaction.game-state.v1`); each game documents its own.
 */
export interface GameStateDto {
  worldId: string;
  /** The game module that keeps it, e.g. `tag-game`. */
  module: string;
  /** The tick of the command that changed it. */
  tick: number;
  state: Record<string, unknown>;
}

/** A body's changed state in a delta: the bus event's BodyDelta, passed through. */
export type BodyDeltaDto = BodyDelta;

/** `delta` event: changed bodies of tick `tick` (or of ticks `fromTick..tick` when coalesced). */
export interface DeltaDto {
  worldId: string;
  tick: number;
  /** Present when several ticks were coalesced for a slow connection. */
  fromTick?: number;
  bodies: BodyDeltaDto[];
  removed?: string[];
}

/** `world:event` event. */
export interface WorldEventDto {
  worldId: string;
  tick: number;
  type: 'player-joined' | 'player-left' | 'player-interacted';
  playerId: string;
  bodyId?: string;
  targetId?: string;
  reason?: string;
}
