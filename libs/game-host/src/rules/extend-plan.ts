import type { CommandPlan } from './game-rules';

/**
 * A plan that also commits (and reverts) a game's own state: `commit` runs after the base
 * plan's commit, `revert` before the base plan's revert, so the game sees the players as the
 * base plan left them.
 */
export function extendPlan(
  plan: CommandPlan,
  extra: { commit(): void; revert?(): void },
): CommandPlan {
  return {
    ...plan,
    commit: () => {
      plan.commit();
      extra.commit();
    },
    revert: () => {
      extra.revert?.();
      plan.revert?.();
    },
  };
}
