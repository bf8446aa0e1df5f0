import { z } from 'zod';
import {
  ballPlayersEnv,
  gameHostEnv,
  toBallPlayersConfig,
  toGameHostConfig,
  type BallPlayersConfig,
  type GameHostConfig,
} from '@anvil/game-host';
import { parseEngineEnv, type Env } from '@anvil/runtime';

export { ConfigError } from '@anvil/runtime';

/** The interaction engine's one config schema, read from the environment before Nest starts. */
export const interactionConfigSchema = z.object({
  ...gameHostEnv({
    grpcPort: 50052,
    kafkaClientId: 'anvil-interaction-engine',
    module: 'interaction-engine',
  }),
  ...ballPlayersEnv({ maxPlayers: 10_000, defaultPlayers: 64 }),
});

/** Game rules every world of this engine follows. */
export type RulesConfig = BallPlayersConfig;

/** The interaction engine's typed configuration (grpc, engineToken, bus: the engines' common part). */
export interface InteractionConfig extends GameHostConfig {
  rules: RulesConfig;
}

/** Validates an environment (default: this process's) into an InteractionConfig; throws ConfigError. */
export function loadInteractionConfig(env: Env = process.env): InteractionConfig {
  const { e, common } = parseEngineEnv('interaction-engine', interactionConfigSchema, env);
  return { ...toGameHostConfig(e, common), rules: toBallPlayersConfig(e) };
}
