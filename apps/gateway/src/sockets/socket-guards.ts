import type { Event, ExtendedError } from 'socket.io';
import type { Logger } from 'pino';
import { ClientEvent } from '../protocol/events';
import type { GatewaySocket } from '../protocol/socket-state';
import { ErrorCode, type ErrorPayload } from '../errors/error-codes';
import { replyError } from './reply';

const INTERNAL: ErrorPayload = { code: ErrorCode.Internal, message: 'internal gateway error' };

/** Who is on the other end of a socket, for the log line of a fault. */
export function callerOf(socket: GatewaySocket): {
  socket: string;
  namespace: string;
  player?: string;
  address?: string;
} {
  return {
    socket: socket.id,
    namespace: socket.nsp?.name,
    player: socket.data?.principal?.playerId,
    address: socket.handshake?.address,
  };
}

/**
 * A socket.io packet middleware (`socket.use`) that cannot throw: a fault answers the caller
 * INTERNAL (ack or `exception` event), drops the packet and is logged with the caller.
 * Socket.io runs these synchronously from the transport's data handler, where a throw would
 * end the process.
 */
export function guardPacketMiddleware(
  socket: GatewaySocket,
  logger: Logger,
  middleware: (packet: Event, next: (err?: Error) => void) => void,
): (packet: Event, next: (err?: Error) => void) => void {
  return (packet, next) => {
    try {
      middleware(packet, next);
    } catch (error) {
      const event = typeof packet[0] === 'string' ? packet[0].slice(0, 64) : 'unknown';
      logger.error(
        { err: error, event, ...callerOf(socket) },
        'unexpected error in a socket.io packet middleware',
      );
      const last: unknown = packet[packet.length - 1];
      try {
        replyError(
          socket,
          event,
          undefined,
          typeof last === 'function' ? last : undefined,
          INTERNAL,
        );
      } catch (replyFailure) {
        logger.error(
          { err: replyFailure, ...callerOf(socket) },
          'could not answer a faulted packet',
        );
      }
    }
  };
}

/**
 * A handshake middleware (`namespace.use`) that cannot throw: a fault refuses the connection
 * with `connect_error` `{ code: INTERNAL }` and is logged with the caller.
 */
export function guardHandshake(
  logger: Logger,
  middleware: (socket: GatewaySocket, next: (err?: ExtendedError) => void) => void,
): (socket: GatewaySocket, next: (err?: ExtendedError) => void) => void {
  return (socket, next) => {
    try {
      middleware(socket, next);
    } catch (error) {
      logger.error(
        { err: error, ...callerOf(socket) },
        'unexpected error in a socket.io handshake middleware',
      );
      next(Object.assign(new Error(INTERNAL.message), { data: INTERNAL }));
    }
  };
}

/**
 * Runs a connection or disconnection hook that cannot throw: a fault is logged with the caller
 * and, on a live connection, answered with an INTERNAL `exception` and a disconnect (its
 * state may be half set up). Nest calls these hooks from an rxjs subscription without an error
 * handler, where a throw would end the process.
 */
export function guardHook(
  logger: Logger,
  socket: GatewaySocket,
  hook: string,
  run: () => void,
): void {
  try {
    run();
  } catch (error) {
    logger.error(
      { err: error, hook, ...callerOf(socket) },
      'unexpected error in a socket.io connection hook',
    );
    try {
      if (socket.connected) {
        socket.emit(ClientEvent.Exception, { event: hook, ...INTERNAL });
        socket.disconnect(true);
      }
    } catch (closeFailure) {
      logger.error(
        { err: closeFailure, ...callerOf(socket) },
        'could not close a faulted connection',
      );
    }
  }
}
