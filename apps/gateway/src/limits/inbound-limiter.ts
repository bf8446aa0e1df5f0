import type { Event } from 'socket.io';
import { ErrorCode, type ErrorPayload } from '../errors/error-codes';
import { replyError } from '../errors/reply';
import type { GatewaySocket } from '../protocol/socket-state';
import { ClientEvent } from '../protocol/events';
import { TokenBucket, type Now } from './token-bucket';

/** Limits applied to every inbound event of a connection. */
export interface InboundLimits {
  ratePerSecond: number;
  rateBurst: number;
  /** Consecutive rate-limited events after which the connection is closed (0: never). */
  disconnectAfterRefusals: number;
  maxEventBytes: number;
}

/** Byte size of an event's arguments as JSON (what the client sent, give or take framing). */
function payloadBytes(args: unknown[]): number {
  let size = 0;
  for (const arg of args) if (typeof arg !== 'function') size += Buffer.byteLength(JSON.stringify(arg) ?? '');
  return size;
}

/**
 * Installs the per-connection checks that run before any handler (a socket.io packet
 * middleware): unknown events, the token bucket, and the per-event payload size. Refusals are
 * answered with a code; a connection that keeps flooding after being told is closed.
 */
export function installInboundLimiter(
  socket: GatewaySocket,
  events: ReadonlySet<string>,
  limits: InboundLimits,
  now: Now,
  onRefused: (event: string, code: ErrorPayload['code']) => void,
): void {
  const bucket = new TokenBucket(limits.ratePerSecond, limits.rateBurst, now);
  let refusedInARow = 0;
  socket.use((packet: Event, next: (err?: Error) => void) => {
    const [event, ...args] = packet;
    const ack = args.length > 0 && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
    const data = args[0];
    const refuse = (error: ErrorPayload) => {
      onRefused(event, error.code);
      replyError(socket, event, data, ack, error);
    };
    const taken = bucket.take();
    if (!taken.ok) {
      refusedInARow++;
      refuse({ code: ErrorCode.RateLimited, message: `too many messages: retry in ${taken.retryAfterMs} ms`, retryAfterMs: taken.retryAfterMs });
      if (limits.disconnectAfterRefusals > 0 && refusedInARow >= limits.disconnectAfterRefusals) {
        socket.emit(ClientEvent.Exception, { event, code: ErrorCode.RateLimited, message: 'closing the connection: it kept flooding after RATE_LIMITED' });
        socket.disconnect(true);
      }
      return;
    }
    refusedInARow = 0;
    if (!events.has(event)) return refuse({ code: ErrorCode.UnknownEvent, message: `unknown event "${String(event).slice(0, 64)}"` });
    const bytes = payloadBytes(args);
    if (bytes > limits.maxEventBytes) {
      return refuse({ code: ErrorCode.PayloadTooLarge, message: `payload is ${bytes} bytes, over the ${limits.maxEventBytes}-byte limit` });
    }
    next();
  });
}
