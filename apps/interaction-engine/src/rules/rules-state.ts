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
export const RULES_STATE_VERSION = 1;

/** The interaction engine's state of one world (cooldowns and rate windows are transient). */
export interface RulesState {
  v: number;
  settings: WorldSettings;
  /** Sorted by player id. */
  players: PlayerRecord[];
}

/** Encodes rules state as canonical JSON bytes (fixed key order, sorted players). */
export function encodeRulesState(settings: WorldSettings, players: PlayerRecord[]): Buffer {
  const state: RulesState = {
    v: RULES_STATE_VERSION,
    settings: canonicalSettings(settings),
    players: canonicalPlayers(players),
  };
  return Buffer.from(JSON.stringify(state), 'utf8');
}

/**
 * Decodes and validates rules state bytes (INVALID_ARGUMENT when malformed, of another version
 * or of another game, or holding more than `maxPlayers`).
 */
export function decodeRulesState(
  bytes: Uint8Array,
  maxPlayers = Number.MAX_SAFE_INTEGER,
): RulesState {
  const state = parseStateObject(bytes, 'an interaction-engine snapshot');
  // Another game's snapshot names its game; the arena's never did.
  if (state['v'] !== RULES_STATE_VERSION || 'game' in state) {
    throw new InvalidCommandError(
      'state is not an interaction-engine snapshot of a supported version',
    );
  }
  return {
    v: RULES_STATE_VERSION,
    settings: decodeSettings(state['settings']),
    players: decodePlayers(state['players'], maxPlayers),
  };
}
