import type { StepResult } from '../simulation/world-simulation';

/** What a delta reports of one step (the applied intents and their keys go to the command log instead). */
export type StepChanges = Omit<StepResult, 'applied' | 'keys'>;

/** Consecutive ticks' changes folded into one: what a consumer needs to go from before `fromTick` to `tick`. */
export interface MergedSteps extends StepChanges {
  /** The first tick covered. */
  fromTick: number;
}

/**
 * Folds `next` (the following tick) into `merged`: each body's latest motion wins; a body
 * removed and not spawned again stays removed, one spawned again is a change. Bodies stay
 * sorted by id, removals too. Applying the result equals applying the ticks one by one.
 */
export function mergeSteps(merged: MergedSteps | StepChanges, next: StepChanges): MergedSteps {
  const fromTick = 'fromTick' in merged ? merged.fromTick : merged.tick;
  const bodies = new Map(merged.changed.map((b) => [b.id, b]));
  const removed = new Set(merged.removed);
  for (const id of next.removed) {
    bodies.delete(id);
    removed.add(id);
  }
  for (const body of next.changed) {
    bodies.set(body.id, body);
    removed.delete(body.id);
  }
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    tick: next.tick,
    fromTick,
    changed: [...bodies.values()].sort((a, b) => byId(a.id, b.id)),
    removed: [...removed].sort(byId),
  };
}
