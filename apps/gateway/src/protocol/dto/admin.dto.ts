/** `admin:players` payload. */
export interface AdminPlayersDto {
  worldId: string;
}

/** `admin:kick` payload. */
export interface AdminKickDto {
  playerId: string;
  /** Kick only from this world (default: every world, and the connection is closed). */
  worldId?: string;
  reason?: string;
  trace?: string;
}
