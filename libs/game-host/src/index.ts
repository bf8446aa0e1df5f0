// @anvil/game-host: what every game module shares (docs/games.md). A game brings its rules
// (GameRules, made by a GameRulesFactory) and its config; the host serves the engine contract
// in front of the physics engine: per-world command batches, physics clients that follow a
// world's owner, the world's events and game state on the interaction topic.
export type {
  BodyPositions,
  CommandPlan,
  GameEvent,
  GameRules,
  GameRulesFactory,
  PlayerRecord,
} from './rules/game-rules';
export { BallPlayers, type BallPlayersConfig, type MovementCommand } from './rules/ball-players';
export { capSpeed } from './rules/cap-speed';
export { extendPlan } from './rules/extend-plan';
export {
  canonicalPlayers,
  canonicalSettings,
  decodePlayers,
  decodeSettings,
  parseStateObject,
  sha256,
} from './rules/state-codec';
export {
  gameHostEnv,
  toGameHostConfig,
  type GameHostConfig,
  type GameHostEnvDefaults,
} from './config/game-host-config';
export {
  ballPlayersEnv,
  toBallPlayersConfig,
  type BallPlayersEnv,
} from './config/ball-players-env';
export {
  InteractionEvents,
  MAX_UNACKNOWLEDGED_EVENTS,
  type InteractionEventsOptions,
} from './events/interaction-events';
export { MAX_PHYSICS_ENGINES, PhysicsClients, type PhysicsEngine } from './physics/physics-clients';
export { REROUTE_DEADLINE_MS } from './physics/world-physics';
export { WorldCommandQueue, type QueuedCommand } from './worlds/world-command-queue';
export {
  GameWorldsService,
  PHYSICS_CAPABILITY,
  type GameWorldsDeps,
} from './worlds/game-worlds.service';
export {
  startGameHost,
  type GameDefinition,
  type GameHostOptions,
  type RunningGameHost,
} from './bootstrap';
