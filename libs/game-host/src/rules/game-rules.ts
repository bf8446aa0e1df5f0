import type { PhysicsIntent, PlayerCommand, WorldSettings } from '@anvil/engine-contract';

/** A player in a world, with the body the physics engine moves for it. */
export interface PlayerRecord {
  playerId: string;
  bodyId: string;
}

/**
 * A game event a command produces once the physics engine accepted its intent: the platform's
 * player events, or one of the game's own (`type` its CloudEvents type, `data` its payload
 * without `worldId`, which the publisher adds; `discriminator` tells apart events of one type
 * in one tick, for the deterministic event id).
 */
export type GameEvent =
  | { kind: 'joined'; playerId: string; bodyId: string }
  | { kind: 'left'; playerId: string; bodyId: string }
  | { kind: 'interacted'; playerId: string; targetId: string }
  | { kind: 'game'; type: string; discriminator: string; data: Record<string, unknown> };

/** What a validated command turns into; nothing changes until `commit`. */
export interface CommandPlan {
  /** The physics intent to send, if the command moves anything. */
  intent?: PhysicsIntent;
  /** The body (or target) the command addresses. */
  entityId: string;
  event?: GameEvent;
  /**
   * Applies the plan to the rules state. A batch commits each plan before planning the next, so
   * a join and a move of the same player can travel together.
   */
  commit(): void;
  /** Undoes `commit` when the physics engine did not take the intent (joins and leaves). */
  revert?(): void;
  /**
   * A join whose body the physics engine already has: the player takes that body back (this
   * engine restarted and lost its rules state, the physics engine kept the world).
   */
  adoptsExistingBody?: boolean;
}

/** Where bodies are, by body id, as the physics engine last reported them (mm). */
export type BodyPositions = ReadonlyMap<string, { xMm: number; yMm: number }>;

/**
 * One world's game rules, free of Nest and gRPC: the part of a game module that differs from
 * game to game. Time comes from the caller (an injected clock), positions from the physics
 * engine (fetched by the host for the commands that `needPositions`), so planning is a pure
 * function of the rules state, the command, the positions and the time.
 */
export interface GameRules {
  /** The world's settings (kept to Init the world again on a physics engine that lost it). */
  readonly settings: WorldSettings;
  /** Validates a command at time `nowMs` and plans its effect; throws an EngineError when refused. */
  plan(command: PlayerCommand, nowMs: number, positions?: BodyPositions): CommandPlan;
  /** Whether planning `command` needs the bodies' positions (the host then asks physics first). */
  needsPositions?(command: PlayerCommand): boolean;
  /** Players sorted by id. */
  list(): PlayerRecord[];
  /** The world's rules state as canonical bytes with a version: Snapshot's opaque `state`. */
  encodeState(): Buffer;
  /**
   * What the game shows its players (who is "it", scores), as small plain JSON (at most
   * GAME_STATE_MAX_BYTES, nested at most GAME_STATE_MAX_DEPTH); undefined for a game without.
   * The host publishes it as a game-state event whenever it changes.
   */
  publicState(): Record<string, unknown> | undefined;
}

/** Makes a game's rules for the worlds of one engine (its config already applied). */
export interface GameRulesFactory {
  /** Rules for a world Init starts here. Throws an EngineError when the settings do not fit. */
  create(settings: WorldSettings): GameRules;
  /**
   * Rules from Snapshot state; throws InvalidCommandError (INVALID_ARGUMENT) when the bytes are
   * not a state of this game in a supported version, or do not fit this engine's limits.
   */
  restore(state: Uint8Array): GameRules;
}
