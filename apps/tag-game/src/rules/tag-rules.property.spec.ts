import fc from 'fast-check';
import { DEFAULT_WORLD_SETTINGS, type PlayerCommand } from '@anvil/engine-contract';
import { TAG_RULES, at } from '../testing/fixtures';
import { TagRules } from './tag-rules';
import { decodeTagState } from './tag-state';

const ids = ['a', 'b', 'c', 'd', 'e'];
const playerId = fc.constantFrom(...ids);

/** One step: a command at a time, the bodies where physics saw them, and whether physics refused its intent. */
const step = fc.record({
  command: fc.oneof(
    { weight: 2, arbitrary: fc.record({ type: fc.constant('join' as const), playerId }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('leave' as const), playerId }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('jump' as const), playerId }) },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('move' as const),
        playerId,
        dx: fc.integer({ min: -10, max: 10 }),
        dy: fc.constant(0),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constant('interact' as const),
        playerId,
        targetId: playerId,
      }),
    },
  ) as fc.Arbitrary<PlayerCommand>,
  elapsedMs: fc.integer({ min: 0, max: 1_500 }),
  xs: fc.array(fc.integer({ min: 0, max: 2_000 }), {
    minLength: ids.length,
    maxLength: ids.length,
  }),
  // Physics refuses a spawn or removal now and then (a full world).
  refusedByPhysics: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** Runs the steps as the host does (plan, commit, revert when physics refused the intent). */
function play(steps: Step[], observe?: (rules: TagRules) => void) {
  const rules = new TagRules(DEFAULT_WORLD_SETTINGS, TAG_RULES);
  let now = 0;
  for (const { command, elapsedMs, xs, refusedByPhysics } of steps) {
    now += elapsedMs;
    const positions = at(Object.fromEntries(ids.map((id, i) => [id, xs[i]])));
    try {
      const plan = rules.plan(command, now, positions);
      plan.commit();
      if (plan.intent && refusedByPhysics) plan.revert?.();
    } catch {
      // refused by the rules: a coded error, nothing changed
    }
    observe?.(rules);
  }
  return rules;
}

const steps = fc.array(step, { minLength: 1, maxLength: 80, size: 'max' });

describe('TagRules (properties)', () => {
  it('has exactly one "it", a player, whenever anyone plays, and nobody otherwise', () => {
    fc.assert(
      fc.property(steps, (s) => {
        play(s, (rules) => {
          const { it } = rules.publicState();
          const players = rules.list().map((p) => p.playerId);
          if (players.length === 0) expect(it).toBeUndefined();
          else expect(players).toContain(it);
        });
      }),
    );
  });

  it('never lowers a score while its player stays, and counts every point as a tag', () => {
    fc.assert(
      fc.property(steps, (s) => {
        let before = new TagRules(DEFAULT_WORLD_SETTINGS, TAG_RULES).publicState();
        play(s, (rules) => {
          const after = rules.publicState();
          for (const [id, score] of Object.entries(after.scores))
            expect(score).toBeGreaterThanOrEqual(before.scores[id] ?? 0);
          expect(after.tags).toBeGreaterThanOrEqual(before.tags);
          const points = Object.values(after.scores).reduce((sum, n) => sum + n, 0);
          expect(after.tags).toBeGreaterThanOrEqual(points);
          before = after;
        });
      }),
    );
  });

  it('gives the same state for the same commands, and its snapshot restores to the same state', () => {
    fc.assert(
      fc.property(steps, (s) => {
        const first = play(s);
        const again = play(s);
        expect(again.encodeState()).toEqual(first.encodeState());
        expect(again.publicState()).toEqual(first.publicState());
        const state = decodeTagState(first.encodeState(), TAG_RULES.maxPlayersPerWorld);
        const restored = new TagRules(state.settings, TAG_RULES, state.players, state);
        expect(restored.encodeState()).toEqual(first.encodeState());
        expect(restored.publicState()).toEqual(first.publicState());
      }),
    );
  });
});
