import { startGameHost, type GameHostOptions, type RunningGameHost } from '@anvil/game-host';
import type { TagConfig } from './config/tag-config';
import { tagRules } from './rules/tag-game';

/** CloudEvents `source` of the tag game. */
export const TAG_SOURCE = '/anvil/tag-game';

/** What `bootstrap` needs; `bus` is shared with other apps in embedded mode. */
export interface TagBootstrapOptions extends Omit<GameHostOptions, 'config' | 'game'> {
  config: TagConfig;
}

/** A running tag game. */
export type RunningTagGame = RunningGameHost;

/** Starts the tag game serving EngineService + grpc.health.v1 in front of its physics engine. */
export function bootstrap(options: TagBootstrapOptions): Promise<RunningTagGame> {
  return startGameHost({
    ...options,
    game: { rules: tagRules(options.config.rules), source: TAG_SOURCE, label: 'the tag game' },
  });
}
