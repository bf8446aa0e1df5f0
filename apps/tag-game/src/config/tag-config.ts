import { z } from 'zod';
import {
  ballPlayersEnv,
  gameHostEnv,
  toBallPlayersConfig,
  toGameHostConfig,
  type BallPlayersConfig,
  type GameHostConfig,
} from '@anvil/game-host';
import { int, parseEngineEnv, type Env } from '@anvil/runtime';

export { ConfigError } from '@anvil/runtime';

/**
 * Most players of one tag world: the game state lists every player's score, and a game-state
 * event holds at most 16 KiB (128 scores of the longest ids take about 11 KiB).
 */
export const MAX_TAG_PLAYERS = 128;

/** The tag game's one config schema, read from the environment before Nest starts. */
export const tagConfigSchema = z.object({
  ...gameHostEnv({ grpcPort: 50053, kafkaClientId: 'anvil-tag-game', module: 'tag-game' }),
  ...ballPlayersEnv({ maxPlayers: MAX_TAG_PLAYERS, defaultPlayers: 16 }),
  /** How far "it" reaches, centre to centre, in player radii (2: only touching players). */
  TAG_REACH_RADII: int(2, 100).default(3),
  /** How long a tagged player may not tag back the one who tagged it. */
  NO_TAG_BACK_MS: int(0, 600_000).default(2_000),
});

/** The rules every tag world of this engine follows. */
export interface TagRulesConfig extends BallPlayersConfig {
  /** Centre-to-centre distance within which "it" may tag, mm. */
  reachMm: number;
  noTagBackMs: number;
}

/** The tag game's typed configuration (grpc, engineToken, bus: the engines' common part). */
export interface TagConfig extends GameHostConfig {
  rules: TagRulesConfig;
}

/** Validates an environment (default: this process's) into a TagConfig; throws ConfigError. */
export function loadTagConfig(env: Env = process.env): TagConfig {
  const { e, common } = parseEngineEnv('tag-game', tagConfigSchema, env);
  return {
    ...toGameHostConfig(e, common),
    rules: {
      ...toBallPlayersConfig(e),
      reachMm: e.TAG_REACH_RADII * e.PLAYER_RADIUS_MM,
      noTagBackMs: e.NO_TAG_BACK_MS,
    },
  };
}
