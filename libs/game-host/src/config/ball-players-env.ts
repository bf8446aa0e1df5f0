import { int } from '@anvil/runtime';
import type { BallPlayersConfig } from '../rules/ball-players';

/**
 * The variables of a game whose players are balls (BallPlayers); `maxPlayers` bounds
 * MAX_PLAYERS_PER_WORLD (a game whose public state grows with its players keeps it small).
 */
export function ballPlayersEnv(limits: { maxPlayers: number; defaultPlayers: number }) {
  return {
    MAX_PLAYERS_PER_WORLD: int(1, limits.maxPlayers).default(limits.defaultPlayers),
    /** Cap of a Move's speed, mm/s. */
    MAX_PLAYER_SPEED_MM_S: int(1, 100_000).default(8_000),
    /** Upward speed a Jump gives, mm/s. */
    JUMP_SPEED_MM_S: int(1, 100_000).default(6_000),
    JUMP_COOLDOWN_MS: int(0, 60_000).default(500),
    PLAYER_RADIUS_MM: int(5, 50_000).default(300),
    /** Commands one player may send per second; more is RESOURCE_EXHAUSTED. */
    MAX_COMMANDS_PER_SECOND: int(1, 100_000).default(60),
  };
}

/** The validated variables of `ballPlayersEnv`. */
export interface BallPlayersEnv {
  MAX_PLAYERS_PER_WORLD: number;
  MAX_PLAYER_SPEED_MM_S: number;
  JUMP_SPEED_MM_S: number;
  JUMP_COOLDOWN_MS: number;
  PLAYER_RADIUS_MM: number;
  MAX_COMMANDS_PER_SECOND: number;
}

export function toBallPlayersConfig(e: BallPlayersEnv): BallPlayersConfig {
  return {
    maxPlayersPerWorld: e.MAX_PLAYERS_PER_WORLD,
    maxPlayerSpeedMmS: e.MAX_PLAYER_SPEED_MM_S,
    jumpSpeedMmS: e.JUMP_SPEED_MM_S,
    jumpCooldownMs: e.JUMP_COOLDOWN_MS,
    playerRadiusMm: e.PLAYER_RADIUS_MM,
    maxCommandsPerSecond: e.MAX_COMMANDS_PER_SECOND,
  };
}
