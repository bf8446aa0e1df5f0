import type { GameRulesFactory } from '@anvil/game-host';
import type { TagRulesConfig } from '../config/tag-config';
import { TagRules } from './tag-rules';
import { decodeTagState } from './tag-state';

/** The tag rules for every world of a tag-game engine with `config`. */
export function tagRules(config: TagRulesConfig): GameRulesFactory {
  return {
    create: (settings) => new TagRules(settings, config),
    restore: (bytes) => {
      const state = decodeTagState(bytes, config.maxPlayersPerWorld);
      return new TagRules(state.settings, config, state.players, state);
    },
  };
}
