import { createHash } from 'node:crypto';
import {
  InvalidCommandError,
  playerBodyId,
  requireId,
  type WorldSettings,
} from '@anvil/engine-contract';
import type { PlayerRecord } from './world-rules';

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
    settings: {
      widthMm: settings.widthMm,
      heightMm: settings.heightMm,
      gravityYMmS2: settings.gravityYMmS2,
      maxBodies: settings.maxBodies,
    },
    players: players.map((p) => ({ playerId: p.playerId, bodyId: p.bodyId })),
  };
  return Buffer.from(JSON.stringify(state), 'utf8');
}

/** Decodes and validates rules state bytes (INVALID_ARGUMENT when malformed). */
export function decodeRulesState(bytes: Uint8Array): RulesState {
  let state: RulesState;
  try {
    state = JSON.parse(Buffer.from(bytes).toString('utf8')) as RulesState;
  } catch (cause) {
    throw new InvalidCommandError('state is not an interaction-engine snapshot', { cause });
  }
  const s = state?.settings;
  if (
    state?.v !== RULES_STATE_VERSION ||
    !Array.isArray(state.players) ||
    typeof s !== 'object' ||
    s === null
  ) {
    throw new InvalidCommandError(
      'state is not an interaction-engine snapshot of a supported version',
    );
  }
  for (const key of ['widthMm', 'heightMm', 'gravityYMmS2', 'maxBodies'] as const) {
    if (!Number.isInteger(s[key]))
      throw new InvalidCommandError(`state.settings.${key} must be an integer`);
  }
  for (const p of state.players) {
    requireId(p?.playerId, 'state.players[].playerId');
    if (p.bodyId !== playerBodyId(p.playerId))
      throw new InvalidCommandError(`state: player "${p.playerId}" has a foreign body id`);
  }
  return state;
}

/** Lowercase hex sha256. */
export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');
