import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ExtendedError } from 'socket.io';
import { GatewayConfigService } from '../config/gateway-config.service';
import { ErrorCode } from '../errors/error-codes';
import { AuthError, ForbiddenError, PayloadError } from '../errors/gateway-error';
import { callerOf } from '../sockets/socket-guards';
import { toErrorPayload } from '../errors/to-error-payload';
import { MetricsService } from '../metrics/metrics.service';
import { checkShape } from '../limits/bounded-shape';
import { ClientEvent } from '../protocol/events';
import type { GatewaySocket } from '../protocol/socket-state';
import { LOGGER } from '../storage/storage.tokens';
import { TokenVerifier, tokenOf } from './token-verifier';

/** Longest timer Node accepts (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Authentication at the handshake: a socket.io middleware verifies the token before the
 * connection exists, so a refused client gets `connect_error` with `data: { code, message }`.
 * Once connected, the connection is closed with AUTH_EXPIRED when its token expires.
 */
@Injectable()
export class AuthService {
  private readonly verifier: TokenVerifier;
  private readonly expiryTimers = new WeakMap<GatewaySocket, NodeJS.Timeout>();

  constructor(
    config: GatewayConfigService,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.verifier = new TokenVerifier(config.get('jwt'));
  }

  /** The handshake middleware; `requireAdmin` for the admin namespace. */
  middleware(
    requireAdmin: boolean,
  ): (socket: GatewaySocket, next: (err?: ExtendedError) => void) => void {
    return (socket, next) => {
      try {
        // The client's `auth` object is untrusted JSON: bound its shape before anything reads it.
        const shape = checkShape(socket.handshake.auth);
        if (!shape.ok)
          throw new PayloadError(
            shape.reason === 'depth' ? ErrorCode.PayloadTooDeep : ErrorCode.PayloadTooLarge,
            `handshake auth: ${shape.message}`,
          );
        const principal = this.verifier.verify(tokenOf(socket.handshake));
        if (requireAdmin && !principal.admin)
          throw new ForbiddenError('the admin namespace needs a token with the "admin" role');
        if (socket.recovered) {
          // socket.io restored this connection's state: it must belong to the same player.
          if (socket.data.principal?.playerId !== principal.playerId) {
            throw new AuthError(
              ErrorCode.AuthInvalid,
              'the recovered session belongs to another player',
            );
          }
          socket.data.principal = principal;
        } else {
          socket.data = { principal, worlds: {}, lastSeq: 0 };
        }
        next();
      } catch (error) {
        const { payload, expected } = toErrorPayload(error);
        if (!expected)
          this.logger.error(
            { err: error, ...callerOf(socket) },
            'unexpected error in the handshake',
          );
        this.metrics.handshakesRefused.inc({ code: payload.code });
        const refusal: ExtendedError = Object.assign(new Error(payload.message), { data: payload });
        next(refusal);
      }
    };
  }

  /** Closes the connection with AUTH_EXPIRED when its token expires. */
  watchExpiry(socket: GatewaySocket): void {
    const expiresAt = socket.data.principal.expiresAt;
    const timer = setTimeout(
      () => {
        socket.emit(ClientEvent.Exception, {
          event: 'auth',
          code: ErrorCode.AuthExpired,
          message: 'the token has expired: reconnect with a new one',
        });
        socket.disconnect(true);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now())),
    );
    timer.unref();
    this.expiryTimers.set(socket, timer);
  }

  /** Stops watching a closed connection. */
  forget(socket: GatewaySocket): void {
    clearTimeout(this.expiryTimers.get(socket));
    this.expiryTimers.delete(socket);
  }
}
