import fc from 'fast-check';
import type { BodyMotion } from '../simulation/quantise';
import type { StepChanges as StepResult } from './merge-steps';
import { mergeSteps } from './merge-steps';

type State = Map<string, BodyMotion>;

/** How a consumer applies a delta: overwrite the changed bodies, delete the removed ones. */
function apply(state: State, step: StepResult): State {
  const next = new Map(state);
  for (const id of step.removed) next.delete(id);
  for (const body of step.changed) next.set(body.id, body);
  return next;
}

const ids = ['a', 'b', 'c', 'd', 'e'];
const motion = (id: string, n: number): BodyMotion => ({ id, x: n, y: -n, angle: 0, vx: n, vy: 0 });
/** One tick as the simulation reports it: a body is either changed or removed, never both. */
const tick = (n: number) =>
  fc
    .array(fc.tuple(fc.constantFrom(...ids), fc.boolean(), fc.integer({ min: -1000, max: 1000 })), {
      maxLength: 5,
    })
    .map((entries): StepResult => {
      const last = new Map(entries.map(([id, removed, value]) => [id, { removed, value }]));
      const sorted = [...last.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      return {
        tick: n,
        changed: sorted.filter(([, e]) => !e.removed).map(([id, e]) => motion(id, e.value)),
        removed: sorted.filter(([, e]) => e.removed).map(([id]) => id),
      };
    });

describe('mergeSteps', () => {
  it('folds consecutive ticks so applying the merge equals applying them one by one', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 8 })
          .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => tick(i + 1)))),
        fc.array(fc.constantFrom(...ids)),
        (steps, present) => {
          const start: State = new Map(present.map((id) => [id, motion(id, 0)]));
          const oneByOne = steps.reduce(apply, start);
          const merged = steps.slice(1).reduce(mergeSteps, steps[0]);
          expect(apply(start, merged)).toEqual(oneByOne);
          expect(merged).toMatchObject({ fromTick: 1, tick: steps.length });
          const sortedIds = (list: string[]) => [...list].sort();
          expect(merged.changed.map((b) => b.id)).toEqual(
            sortedIds(merged.changed.map((b) => b.id)),
          );
          expect(merged.removed).toEqual(sortedIds(merged.removed));
        },
      ),
    );
  });

  it('keeps a body removed and spawned again as a change, and a body changed then removed as a removal', () => {
    const merged = mergeSteps(
      { tick: 4, changed: [motion('a', 1)], removed: ['b'] },
      { tick: 5, changed: [motion('b', 2)], removed: ['a'] },
    );
    expect(merged).toEqual({ tick: 5, fromTick: 4, changed: [motion('b', 2)], removed: ['a'] });
  });
});
