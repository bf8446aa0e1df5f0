import { DEFAULT_WORLD_SETTINGS, EngineErrorCode, playerBodyId } from '@anvil/engine-contract';
import { TAG_RULES, at, joined } from '../testing/fixtures';
import { tagRules } from './tag-game';
import { decodeTagState, encodeTagState } from './tag-state';

const player = (playerId: string) => ({ playerId, bodyId: playerBodyId(playerId) });
const valid = {
  v: 1,
  game: 'tag',
  settings: DEFAULT_WORLD_SETTINGS,
  players: [player('alice'), player('bob')],
  it: 'bob',
  scores: { alice: 2, bob: 1 },
  tags: 4,
};
const bytes = (state: unknown) => Buffer.from(JSON.stringify(state));

describe('tag state', () => {
  it('round-trips through Snapshot bytes, "it" and scores included', () => {
    const rules = joined('bob', 'alice');
    rules
      .plan({ type: 'interact', playerId: 'bob', targetId: 'alice' }, 0, at({ alice: 0, bob: 600 }))
      .commit();
    const restored = tagRules(TAG_RULES).restore(rules.encodeState());
    expect(restored.publicState()).toEqual({ it: 'alice', scores: { alice: 0, bob: 1 }, tags: 1 });
    expect(restored.encodeState()).toEqual(rules.encodeState());
    expect(decodeTagState(bytes(valid), 8)).toMatchObject({ it: 'bob', tags: 4 });
  });

  it('encodes canonically: the same state gives the same bytes whatever the order of its parts', () => {
    const state = { ...valid, it: 'bob' as string | null };
    const reordered = {
      ...state,
      players: [player('bob'), player('alice')].reverse(),
      scores: { bob: 1, alice: 2 },
    };
    expect(encodeTagState(reordered)).toEqual(encodeTagState(state));
  });

  const arena = { v: 1, settings: DEFAULT_WORLD_SETTINGS, players: [player('alice')] };
  it.each([
    ['bytes that are not JSON', Buffer.from('garbage'), /not a tag-game snapshot/],
    ['an arena snapshot', bytes(arena), /not a tag-game snapshot of a supported version/],
    ['another version', bytes({ ...valid, v: 2 }), /supported version/],
    [
      '"it" who is not a player',
      bytes({ ...valid, it: 'zed' }),
      /state\.it must name one of the players/,
    ],
    ['nobody "it" among players', bytes({ ...valid, it: null }), /state\.it/],
    [
      'an "it" without players',
      bytes({ ...valid, players: [], scores: {}, it: 'bob' }),
      /state\.it/,
    ],
    [
      'a score of somebody else',
      bytes({ ...valid, scores: { alice: 2, bob: 1, zed: 0 } }),
      /"zed", who is not a player/,
    ],
    [
      'a player without a score',
      bytes({ ...valid, scores: { alice: 2 } }),
      /a score for every player/,
    ],
    [
      'a negative score',
      bytes({ ...valid, scores: { alice: -1, bob: 1 } }),
      /scores\.alice must be an integer >= 0/,
    ],
    [
      'fewer tags than points',
      bytes({ ...valid, tags: 2 }),
      /state\.tags must be an integer of at least 3/,
    ],
    [
      'a foreign body id',
      bytes({ ...valid, players: [{ playerId: 'alice', bodyId: 'crate' }, player('bob')] }),
      /foreign body id/,
    ],
    [
      'a player twice',
      bytes({ ...valid, players: [player('bob'), player('bob')] }),
      /listed twice/,
    ],
    ['more players than MAX_PLAYERS_PER_WORLD', bytes(valid), /over MAX_PLAYERS_PER_WORLD \(1\)/],
  ])('refuses %s with INVALID_ARGUMENT', (name, state, message) => {
    const factory = tagRules({ ...TAG_RULES, maxPlayersPerWorld: name.startsWith('more') ? 1 : 8 });
    let error: { code?: string; message?: string } | undefined;
    try {
      factory.restore(state);
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error?.code).toBe(EngineErrorCode.InvalidArgument);
    expect(error?.message).toMatch(message);
  });
});
