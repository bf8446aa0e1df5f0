import type { Event } from 'socket.io';
import type { Logger } from 'pino';
import { ErrorCode, type ErrorPayload } from '../errors/error-codes';
import { replyError } from '../sockets/reply';
import { guardPacketMiddleware } from '../sockets/socket-guards';
import type { GatewaySocket } from '../protocol/socket-state';
import { ClientEvent } from '../protocol/events';
import { checkShape, PAYLOAD_SHAPE_LIMITS } from './bounded-shape';
import { TokenBucket, type Now } from './token-bucket';
import { messageBytes } from './transport-bytes';

/** Limits applied to every inbound event of a connection. */
export interface InboundLimits {
  ratePerSecond: number;
  rateBurst: number;
  /** Consecutive rate-limited events after which the connection is closed (0: never). */
  disconnectAfterRefusals: number;
  /** Largest message of one event, in bytes as received (the transport's count, framing included). */
  maxEventBytes: number;
}

/**
 * Installs the per-connection checks that run before any handler (a socket.io packet
 * middleware): the token bucket, unknown events, the message's size in bytes as received, and
 * the payload's shape (depth, entries) checked without recursion. Nothing walks the payload
 * recursively before these pass. Refusals are answered with a code; a connection that keeps
 * flooding after being told is closed; a fault here answers INTERNAL (never ends the process).
 */
export function installInboundLimiter(
  socket: GatewaySocket,
  events: ReadonlySet<string>,
  limits: InboundLimits,
  now: Now,
  /** Counts a refusal; `event` is the event's name, or "unknown" for a name not in `events`. */
  onRefused: (event: string, code: ErrorPayload['code']) => void,
  logger: Logger,
): void {
  const bucket = new TokenBucket(limits.ratePerSecond, limits.rateBurst, now);
  let refusedInARow = 0;
  const middleware = (packet: Event, next: (err?: Error) => void) => {
    const [rawEvent, ...args] = packet;
    // Echoed in answers and used as a metrics label: bounded, and "unknown" for names not handled.
    const event = String(rawEvent).slice(0, 64);
    const label = events.has(rawEvent) ? event : 'unknown';
    const ack =
      args.length > 0 && typeof args[args.length - 1] === 'function'
        ? args[args.length - 1]
        : undefined;
    const data = args[0];
    const refuse = (error: ErrorPayload) => {
      onRefused(label, error.code);
      replyError(socket, event, data, ack, error);
    };
    const taken = bucket.take();
    if (!taken.ok) {
      refusedInARow++;
      refuse({
        code: ErrorCode.RateLimited,
        message: `too many messages: retry in ${taken.retryAfterMs} ms`,
        retryAfterMs: taken.retryAfterMs,
      });
      if (limits.disconnectAfterRefusals > 0 && refusedInARow >= limits.disconnectAfterRefusals) {
        socket.emit(ClientEvent.Exception, {
          event,
          code: ErrorCode.RateLimited,
          message: 'closing the connection: it kept flooding after RATE_LIMITED',
        });
        socket.disconnect(true);
      }
      return;
    }
    refusedInARow = 0;
    if (!events.has(rawEvent))
      return refuse({ code: ErrorCode.UnknownEvent, message: `unknown event "${event}"` });
    const bytes = messageBytes(socket.conn);
    if (bytes > limits.maxEventBytes) {
      return refuse({
        code: ErrorCode.PayloadTooLarge,
        message: `message is ${bytes} bytes, over the ${limits.maxEventBytes}-byte limit`,
      });
    }
    for (const arg of args) {
      if (arg === ack) continue;
      const shape = checkShape(arg, PAYLOAD_SHAPE_LIMITS);
      if (!shape.ok)
        return refuse({
          code: shape.reason === 'depth' ? ErrorCode.PayloadTooDeep : ErrorCode.PayloadTooLarge,
          message: shape.message,
        });
    }
    next();
  };
  socket.use(guardPacketMiddleware(socket, logger, middleware));
}
