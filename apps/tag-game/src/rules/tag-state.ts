import { InvalidCommandError, type WorldSettings } from '@anvil/engine-contract';
import {
  canonicalPlayers,
  canonicalSettings,
  decodePlayers,
  decodeSettings,
  parseStateObject,
  type PlayerRecord,
} from '@anvil/game-host';

/** Bumped when the layout changes; Restore refuses other versions. */
export const TAG_STATE_VERSION = 1;

/** A tag world's snapshot state (the no-tag-back time, cooldowns and rate windows are transient). */
export interface TagState {
  settings: WorldSettings;
  /** Sorted by player id. */
  players: PlayerRecord[];
  /** The player who is "it"; null exactly when there are no players. */
  it: string | null;
  /** Each player's tags, keyed (and ordered) like `players`. */
  scores: Record<string, number>;
  /** Tags made in the world: at least the sum of the players' scores (leavers take theirs). */
  tags: number;
}

/** Encodes tag state as canonical JSON bytes: fixed key order, players sorted by id. */
export function encodeTagState(state: TagState): Buffer {
  const players = canonicalPlayers(state.players);
  return Buffer.from(
    JSON.stringify({
      v: TAG_STATE_VERSION,
      game: 'tag',
      settings: canonicalSettings(state.settings),
      players,
      it: state.it,
      scores: Object.fromEntries(players.map((p) => [p.playerId, state.scores[p.playerId] ?? 0])),
      tags: state.tags,
    }),
    'utf8',
  );
}

/**
 * Decodes and validates tag state bytes: INVALID_ARGUMENT when they are not a tag snapshot of
 * this version (an arena snapshot included), hold more than `maxPlayers`, or do not add up
 * ("it" not a player, a score of nobody, fewer tags than points).
 */
export function decodeTagState(bytes: Uint8Array, maxPlayers: number): TagState {
  const state = parseStateObject(bytes, 'a tag-game snapshot');
  if (state['game'] !== 'tag' || state['v'] !== TAG_STATE_VERSION)
    throw new InvalidCommandError('state is not a tag-game snapshot of a supported version');
  const settings = decodeSettings(state['settings']);
  const players = decodePlayers(state['players'], maxPlayers);
  const ids = new Set(players.map((p) => p.playerId));
  const it = state['it'];
  if (players.length === 0 ? it !== null : typeof it !== 'string' || !ids.has(it))
    throw new InvalidCommandError('state.it must name one of the players (null without players)');
  const scores = decodeScores(state['scores'], ids);
  const tags = state['tags'];
  const points = Object.values(scores).reduce((sum, n) => sum + n, 0);
  if (!Number.isSafeInteger(tags) || (tags as number) < points)
    throw new InvalidCommandError(`state.tags must be an integer of at least ${points}`);
  return { settings, players, it: it as string | null, scores, tags: tags as number };
}

function decodeScores(value: unknown, ids: Set<string>): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidCommandError('state.scores must be an object');
  const entries = Object.entries(value);
  for (const [playerId, score] of entries) {
    if (!ids.has(playerId))
      throw new InvalidCommandError(`state.scores names "${playerId}", who is not a player`);
    if (!Number.isSafeInteger(score) || (score as number) < 0)
      throw new InvalidCommandError(`state.scores.${playerId} must be an integer >= 0`);
  }
  if (entries.length !== ids.size)
    throw new InvalidCommandError('state.scores must hold a score for every player');
  return Object.fromEntries(entries) as Record<string, number>;
}
