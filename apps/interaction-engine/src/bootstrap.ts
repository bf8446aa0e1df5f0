import { startGameHost, type GameHostOptions, type RunningGameHost } from '@anvil/game-host';
import type { InteractionConfig } from './config/interaction-config';
import { arenaRules } from './rules/arena-game';

/** CloudEvents `source` of the interaction engine. */
export const INTERACTION_SOURCE = '/anvil/interaction-engine';

/** What `bootstrap` needs; `bus` is shared with other apps in embedded mode. */
export interface InteractionBootstrapOptions extends Omit<GameHostOptions, 'config' | 'game'> {
  config: InteractionConfig;
}

/** A running interaction engine. */
export type RunningInteractionEngine = RunningGameHost;

/** Starts the interaction engine (the arena's rules) serving EngineService + grpc.health.v1. */
export function bootstrap(options: InteractionBootstrapOptions): Promise<RunningInteractionEngine> {
  return startGameHost({
    ...options,
    game: {
      rules: arenaRules(options.config.rules),
      source: INTERACTION_SOURCE,
      label: 'the interaction engine',
    },
  });
}
