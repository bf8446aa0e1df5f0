import { createHash } from 'node:crypto';
import {
  InvalidCommandError,
  playerBodyId,
  requireId,
  type WorldSettings,
} from '@anvil/engine-contract';
import type { PlayerRecord } from './game-rules';

/** Lowercase hex sha256. */
export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/** The settings in a fixed key order (canonical JSON). */
export function canonicalSettings(settings: WorldSettings): WorldSettings {
  return {
    widthMm: settings.widthMm,
    heightMm: settings.heightMm,
    gravityYMmS2: settings.gravityYMmS2,
    maxBodies: settings.maxBodies,
  };
}

/** The players as snapshot state keeps them: id and body, in the order given (sorted by id). */
export const canonicalPlayers = (players: PlayerRecord[]): PlayerRecord[] =>
  players.map((p) => ({ playerId: p.playerId, bodyId: p.bodyId }));

/** Parses snapshot bytes as a JSON object; INVALID_ARGUMENT naming `what` when they are not. */
export function parseStateObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new InvalidCommandError(`state is not ${what}`, { cause });
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state))
    throw new InvalidCommandError(`state is not ${what}`);
  return state as Record<string, unknown>;
}

/** Checks snapshot settings (INVALID_ARGUMENT naming the bad key). */
export function decodeSettings(value: unknown): WorldSettings {
  if (typeof value !== 'object' || value === null)
    throw new InvalidCommandError('state.settings must be an object');
  const s = value as Record<string, unknown>;
  for (const key of ['widthMm', 'heightMm', 'gravityYMmS2', 'maxBodies'] as const) {
    if (!Number.isInteger(s[key]))
      throw new InvalidCommandError(`state.settings.${key} must be an integer`);
  }
  return canonicalSettings(s as unknown as WorldSettings);
}

/**
 * Checks snapshot players: valid ids, each with its own body id, no id twice, at most
 * `maxPlayers` (the engine's MAX_PLAYERS_PER_WORLD). INVALID_ARGUMENT otherwise.
 */
export function decodePlayers(value: unknown, maxPlayers: number): PlayerRecord[] {
  if (!Array.isArray(value)) throw new InvalidCommandError('state.players must be an array');
  if (value.length > maxPlayers) {
    throw new InvalidCommandError(
      `state holds ${value.length} players, over MAX_PLAYERS_PER_WORLD (${maxPlayers})`,
    );
  }
  const seen = new Set<string>();
  return value.map((p: Partial<PlayerRecord> | null) => {
    if (typeof p?.playerId !== 'string')
      throw new InvalidCommandError('state.players[].playerId must be a string');
    const playerId = requireId(p.playerId, 'state.players[].playerId');
    if (p.bodyId !== playerBodyId(playerId))
      throw new InvalidCommandError(`state: player "${playerId}" has a foreign body id`);
    if (seen.has(playerId))
      throw new InvalidCommandError(`state: player "${playerId}" is listed twice`);
    seen.add(playerId);
    return { playerId, bodyId: p.bodyId };
  });
}
