/** Who is on the other end of a connection, from the verified token. */
export interface Principal {
  /** The player id (`sub`). */
  playerId: string;
  /** Worlds the token allows; undefined means every world. */
  worlds?: readonly string[];
  /** True when `roles` includes `admin`. */
  admin: boolean;
  /** Token expiry, ms since the epoch (every accepted token has one). */
  expiresAt: number;
}

/** True when the principal may join `worldId`. */
export const mayJoin = (principal: Principal, worldId: string): boolean =>
  !principal.worlds || principal.worlds.includes(worldId);
