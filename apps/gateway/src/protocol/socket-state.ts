import type { DefaultEventsMap, Namespace, Socket } from 'socket.io';
import type { Principal } from './principal';

/** A world this connection has joined. */
export interface JoinedWorld {
  /** The session row opened for this join (absent until it is stored). */
  sessionId?: string;
}

/**
 * Per-connection state in `socket.data`. socket.io keeps it across a recovered reconnection,
 * so joined worlds and the sequence counter survive a brief network drop.
 */
export interface SocketState {
  principal: Principal;
  /** Worlds joined, by world id. */
  worlds: Record<string, JoinedWorld>;
  /** The highest command sequence number accepted on this connection. */
  lastSeq: number;
  /** Worlds whose pending deltas were lost with the connection: resync them on recovery. */
  resync?: string[];
}

/** A socket of the main or admin namespace. */
export type GatewaySocket = Socket<
  DefaultEventsMap,
  DefaultEventsMap,
  DefaultEventsMap,
  SocketState
>;
/** The main or admin namespace. */
export type GatewayNamespace = Namespace<
  DefaultEventsMap,
  DefaultEventsMap,
  DefaultEventsMap,
  SocketState
>;

/** The socket.io room of a world. */
export const worldRoom = (worldId: string): string => `world:${worldId}`;
