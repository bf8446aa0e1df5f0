import { ErrorCode } from '../errors/error-codes';
import { WorldAccessError } from '../errors/gateway-error';
import type { GatewaySocket, JoinedWorld } from '../protocol/socket-state';

/** The socket's membership of a world, or NOT_IN_WORLD. */
export function requireJoined(socket: GatewaySocket, worldId: string): JoinedWorld {
  const joined = socket.data.worlds[worldId];
  if (!joined)
    throw new WorldAccessError(ErrorCode.NotInWorld, worldId, `join world "${worldId}" first`);
  return joined;
}
