// Test support (specs only): rules config and positions for the tag rules' tests.
import { DEFAULT_WORLD_SETTINGS, playerBodyId } from '@anvil/engine-contract';
import type { BodyPositions } from '@anvil/game-host';
import type { TagRulesConfig } from '../config/tag-config';
import { TagRules } from '../rules/tag-rules';

export const TAG_RULES: TagRulesConfig = {
  maxPlayersPerWorld: 8,
  maxPlayerSpeedMmS: 5_000,
  jumpSpeedMmS: 4_000,
  jumpCooldownMs: 500,
  playerRadiusMm: 300,
  maxCommandsPerSecond: 1_000,
  reachMm: 900,
  noTagBackMs: 2_000,
};

/** Bodies at the given x (mm), all on the floor. */
export const at = (xs: Record<string, number>): BodyPositions =>
  new Map(Object.entries(xs).map(([id, xMm]) => [playerBodyId(id), { xMm, yMm: 300 }]));

/** Tag rules with these players joined, in order (the first is "it"). */
export function joined(...ids: string[]): TagRules {
  const rules = new TagRules(DEFAULT_WORLD_SETTINGS, TAG_RULES);
  ids.forEach((playerId) => rules.plan({ type: 'join', playerId }, 0).commit());
  return rules;
}
