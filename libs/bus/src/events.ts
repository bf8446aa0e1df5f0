/**
 * The event types the platform emits and the shape of each one's `data` (docs/events.md).
 * Positions are integer millimetres, angles integer milliradians, velocities integer mm/s:
 * quantised so that deltas are small, exact and the same on every machine.
 */

/** CloudEvents `type` of every event Anvil publishes; the `.vN` suffix changes only on a breaking change. */
export const EVENT_TYPES = {
  /** One world tick's changed bodies (topic `anvil.world.physics`). */
  physicsDelta: 'dev.anvil.physics.delta.v1',
  /** A player joined a world and got a body (topic `anvil.world.interaction`). */
  playerJoined: 'dev.anvil.interaction.player-joined.v1',
  /** A player left a world; its body is removed (topic `anvil.world.interaction`). */
  playerLeft: 'dev.anvil.interaction.player-left.v1',
  /** A player command was refused (topic `anvil.world.interaction`). */
  commandRejected: 'dev.anvil.interaction.command-rejected.v1',
  /** A player touched another body and the rules counted it (topic `anvil.world.interaction`). */
  playerInteracted: 'dev.anvil.interaction.player-interacted.v1',
  /** The batch of intents a physics engine applied at one tick (topic `anvil.world.commands`). */
  commandsApplied: 'dev.anvil.physics.commands-applied.v1',
  /**
   * A game module's own state for players (who is "it", scores), whole, each time it changes
   * (topic `anvil.world.interaction`): the generic per-game state channel (docs/events.md).
   */
  gameState: 'dev.anvil.interaction.game-state.v1',
} as const;

/** The largest `state` of a game-state event, as JSON bytes. */
export const GAME_STATE_MAX_BYTES = 16 * 1024;
/** The deepest nesting of a game-state event's `state` (the object itself is depth 1). */
export const GAME_STATE_MAX_DEPTH = 4;

/** One of the `EVENT_TYPES` values. */
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** A body's state after a tick, quantised to integers. */
export interface BodyDelta {
  /** The body id (the engine contract's `body_id`). */
  id: string;
  /** Position in millimetres. */
  x: number;
  y: number;
  /** Rotation in milliradians. */
  angle: number;
  /** Linear velocity in millimetres per second. */
  vx: number;
  vy: number;
}

/** `data` of `dev.anvil.physics.delta.v1`: the bodies that changed during `tick`. */
export interface PhysicsDeltaData {
  worldId: string;
  tick: number;
  /**
   * Present when the delta covers several ticks, `fromTick`..`tick` (the engine merged them while
   * the bus was slow): each body's latest motion, every removal.
   */
  fromTick?: number;
  /** Changed bodies, sorted by id; unchanged bodies are left out. */
  bodies: BodyDelta[];
  /** Ids of bodies removed during this tick (absent when none). */
  removed?: string[];
  /**
   * The lease epoch of the engine replica that stepped the world (absent: 0, no ownership). A
   * consumer drops deltas of an epoch older than one it already saw for the world: they come
   * from a replica that lost the world (docs/events.md).
   */
  epoch?: number;
}

/** `data` of `dev.anvil.interaction.player-joined.v1`. */
export interface PlayerJoinedData {
  worldId: string;
  playerId: string;
  /** The body spawned for the player. */
  bodyId: string;
}

/** `data` of `dev.anvil.interaction.player-left.v1`. */
export interface PlayerLeftData {
  worldId: string;
  playerId: string;
  /** The body removed with the player. */
  bodyId: string;
  /** Why the player left: `left` (asked to), `disconnected`, `kicked`. */
  reason: 'left' | 'disconnected' | 'kicked';
}

/** `data` of `dev.anvil.interaction.command-rejected.v1`. */
export interface CommandRejectedData {
  worldId: string;
  playerId: string;
  /** The client's sequence number of the refused command. */
  clientSeq: number;
  /** A stable machine-readable code (the same one the player receives). */
  code: string;
  message: string;
}

/** `data` of `dev.anvil.interaction.player-interacted.v1`. */
export interface PlayerInteractedData {
  worldId: string;
  playerId: string;
  /** The body the player interacted with. */
  targetId: string;
}

/** One intent of a command-log entry: the engine contract's `PhysicsIntent` as JSON. */
export interface LoggedIntent {
  /** `spawnBody`, `removeBody`, `setVelocity`, `applyImpulse`. */
  type: string;
  [field: string]: unknown;
}

/**
 * `data` of `dev.anvil.physics.commands-applied.v1`: one entry of a world's command log, the
 * intents the physics engine applied at the boundary of `tick`, in apply order.
 */
export interface CommandsAppliedData {
  worldId: string;
  /** The apply tick: the intents were applied before the step that completed this tick. */
  tick: number;
  /** The entry's position in the world's log: 1, 2, 3, … without gaps. */
  seq: number;
  /** The writer's epoch (0 until placement fences writers); a higher epoch supersedes. */
  epoch: number;
  /** The intents applied, in apply order; none: an epoch marker. */
  intents: LoggedIntent[];
  /**
   * The intents' idempotency keys, parallel to `intents` ('' for an intent without one); absent
   * when none has a key (entries written before keys existed have none either). A world
   * restored from checkpoint and log learns them again, so a repeat is still answered once.
   */
  keys?: string[];
}

/**
 * `data` of `dev.anvil.interaction.game-state.v1`: the whole state a game module shows its
 * players, as plain JSON (at most GAME_STATE_MAX_BYTES, nested at most GAME_STATE_MAX_DEPTH).
 * Gateways and the live view pass it on without knowing the game; each game documents its own.
 */
export interface GameStateData {
  worldId: string;
  /** The module that keeps the state (its ModuleManifest's `module`), e.g. `tag-game`. */
  module: string;
  /** The game's state, e.g. `{ it: "alice", scores: { alice: 2, bob: 5 } }`. */
  state: Record<string, unknown>;
}

/** Maps each event type to its `data` shape. */
export interface EventDataByType {
  [EVENT_TYPES.physicsDelta]: PhysicsDeltaData;
  [EVENT_TYPES.playerJoined]: PlayerJoinedData;
  [EVENT_TYPES.playerLeft]: PlayerLeftData;
  [EVENT_TYPES.commandRejected]: CommandRejectedData;
  [EVENT_TYPES.playerInteracted]: PlayerInteractedData;
  [EVENT_TYPES.commandsApplied]: CommandsAppliedData;
  [EVENT_TYPES.gameState]: GameStateData;
}
