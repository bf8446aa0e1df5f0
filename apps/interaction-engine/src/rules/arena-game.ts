import type { GameRulesFactory } from '@anvil/game-host';
import type { RulesConfig } from '../config/interaction-config';
import { decodeRulesState } from './rules-state';
import { WorldRules } from './world-rules';

/** The arena's rules for every world of an interaction engine with `config`. */
export function arenaRules(config: RulesConfig): GameRulesFactory {
  return {
    create: (settings) => new WorldRules(settings, config),
    restore: (bytes) => {
      const state = decodeRulesState(bytes, config.maxPlayersPerWorld);
      return new WorldRules(state.settings, config, state.players);
    },
  };
}
