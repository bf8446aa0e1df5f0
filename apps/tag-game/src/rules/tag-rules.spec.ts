import {
  DEFAULT_WORLD_SETTINGS,
  EngineErrorCode,
  playerBodyId,
  type PlayerCommand,
} from '@anvil/engine-contract';
import { TAG_RULES, at, joined } from '../testing/fixtures';
import { TagRules } from './tag-rules';
import { TAGGED_EVENT_TYPE } from './tagged-event';

const tag = (playerId: string, targetId: string): PlayerCommand => ({
  type: 'interact',
  playerId,
  targetId,
});

/** The code of the error `plan` throws. */
function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('not refused');
}

describe('TagRules', () => {
  it('makes the first player to join "it", with a score of 0 for everyone', () => {
    const rules = joined('bob', 'alice');
    expect(rules.publicState()).toEqual({ it: 'bob', scores: { alice: 0, bob: 0 }, tags: 0 });
    expect(new TagRules(DEFAULT_WORLD_SETTINGS, TAG_RULES).publicState()).toEqual({
      scores: {},
      tags: 0,
    });
  });

  it('a tag within reach passes "it", scores the tagger and names both in its event', () => {
    const rules = joined('alice', 'bob');
    const plan = rules.plan(tag('alice', 'bob'), 1_000, at({ alice: 1_000, bob: 1_600 }));
    expect(plan).toMatchObject({
      entityId: playerBodyId('bob'),
      event: {
        kind: 'game',
        type: TAGGED_EVENT_TYPE,
        discriminator: '1',
        data: { taggerId: 'alice', taggedId: 'bob' },
      },
    });
    expect(plan.intent).toBeUndefined();
    expect(rules.publicState().it).toBe('alice');
    plan.commit();
    expect(rules.publicState()).toEqual({ it: 'bob', scores: { alice: 1, bob: 0 }, tags: 1 });
  });

  it('measures reach centre to centre, in both axes', () => {
    const rules = joined('a', 'b');
    const positions = new Map([
      [playerBodyId('a'), { xMm: 0, yMm: 0 }],
      [playerBodyId('b'), { xMm: 540, yMm: 720 }],
    ]);
    expect(() => rules.plan(tag('a', 'b'), 0, positions)).not.toThrow();
    positions.set(playerBodyId('b'), { xMm: 541, yMm: 721 });
    expect(refusal(() => rules.plan(tag('a', 'b'), 0, positions))).toMatchObject({
      code: EngineErrorCode.FailedPrecondition,
      message: 'too far: 901 mm, reach 900 mm',
    });
  });

  it.each([
    [
      'a player who is not "it"',
      tag('bob', 'alice'),
      EngineErrorCode.FailedPrecondition,
      /"bob" is not it: "alice" is/,
    ],
    [
      'a tag of oneself',
      tag('alice', 'alice'),
      EngineErrorCode.InvalidArgument,
      /cannot tag itself/,
    ],
    ['an unknown target', tag('alice', 'zed'), EngineErrorCode.NotFound, /unknown player "zed"/],
    ['an unknown tagger', tag('zed', 'alice'), EngineErrorCode.NotFound, /unknown player "zed"/],
    [
      'a target too far',
      tag('alice', 'carol'),
      EngineErrorCode.FailedPrecondition,
      /too far: 5200 mm, reach 900 mm/,
    ],
    [
      'a body physics has not placed yet',
      tag('alice', 'dave'),
      EngineErrorCode.FailedPrecondition,
      /not known yet/,
    ],
  ])('refuses %s with its code and changes nothing', (_name, command, code, message) => {
    const rules = joined('alice', 'bob', 'carol', 'dave');
    const before = rules.encodeState();
    const error = refusal(() =>
      rules.plan(command, 1_000, at({ alice: 1_000, bob: 1_500, carol: 6_200 })),
    );
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(rules.encodeState()).toEqual(before);
  });

  it('refuses a tag-back within the no-tag-back time, and allows it after', () => {
    const rules = joined('alice', 'bob', 'carol');
    const close = at({ alice: 1_000, bob: 1_500, carol: 1_200 });
    rules.plan(tag('alice', 'bob'), 10_000, close).commit();
    expect(refusal(() => rules.plan(tag('bob', 'alice'), 11_000, close))).toMatchObject({
      code: EngineErrorCode.FailedPrecondition,
      message: 'no tag-back: "alice" tagged "bob" just now; wait another 1000 ms',
    });
    // Anyone else may be tagged at once; the tagger may be tagged back once the time passed.
    expect(() => rules.plan(tag('bob', 'carol'), 11_000, close)).not.toThrow();
    rules.plan(tag('bob', 'alice'), 12_000, close).commit();
    expect(rules.publicState()).toEqual({
      it: 'alice',
      scores: { alice: 1, bob: 1, carol: 0 },
      tags: 2,
    });
  });

  it('passes "it" to the lowest player id when "it" leaves, and to nobody when it was the last', () => {
    const rules = joined('mia', 'zoe', 'ann');
    rules.plan({ type: 'leave', playerId: 'mia' }, 0).commit();
    expect(rules.publicState().it).toBe('ann');
    rules.plan({ type: 'leave', playerId: 'zoe' }, 0).commit();
    expect(rules.publicState().it).toBe('ann');
    rules.plan({ type: 'leave', playerId: 'ann' }, 0).commit();
    expect(rules.publicState()).toEqual({ scores: {}, tags: 0 });
    rules.plan({ type: 'join', playerId: 'zoe' }, 0).commit();
    expect(rules.publicState().it).toBe('zoe');
  });

  it('a join or leave the physics engine refused is taken back with its "it"', () => {
    const rules = joined();
    const join = rules.plan({ type: 'join', playerId: 'bob' }, 0);
    join.commit();
    expect(rules.publicState().it).toBe('bob');
    join.revert?.();
    expect(rules.publicState()).toEqual({ scores: {}, tags: 0 });

    const two = joined('bob', 'alice');
    const leave = two.plan({ type: 'leave', playerId: 'bob' }, 0);
    leave.commit();
    expect(two.publicState().it).toBe('alice');
    leave.revert?.();
    expect(two.publicState()).toEqual({ it: 'bob', scores: { alice: 0, bob: 0 }, tags: 0 });
  });

  it('moves and jumps like the arena: velocity intents for the player’s body', () => {
    const rules = joined('a');
    expect(rules.plan({ type: 'move', playerId: 'a', dx: 2, dy: 0 }, 0).intent).toEqual({
      type: 'setVelocity',
      bodyId: playerBodyId('a'),
      vxMmS: 2_000,
    });
    expect(rules.plan({ type: 'jump', playerId: 'a' }, 0).intent).toMatchObject({
      type: 'setVelocity',
      vyMmS: 4_000,
    });
  });

  it('needs positions for tags only', () => {
    const rules = joined('a', 'b');
    expect(rules.needsPositions(tag('a', 'b'))).toBe(true);
    expect(rules.needsPositions({ type: 'move', playerId: 'a', dx: 1, dy: 0 })).toBe(false);
  });
});
