import { ErrorCode, type ErrorPayload } from './error-codes';

/**
 * Base of every refusal the gateway makes on purpose. Domain code throws these; the socket.io
 * exception filter (and the handshake middleware) turn them into `{ code, message }` payloads.
 */
export class GatewayError extends Error {
  override name = 'GatewayError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; extra?: Pick<ErrorPayload, 'retryAfterMs' | 'engineCode'> },
  ) {
    super(message, options);
    this.extra = options?.extra ?? {};
  }

  /** Extra payload fields (retryAfterMs, engineCode). */
  readonly extra: Pick<ErrorPayload, 'retryAfterMs' | 'engineCode'>;

  /** The payload a client receives. */
  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

/** The handshake carries no usable token, or its token is refused. */
export class AuthError extends GatewayError {
  override name = 'AuthError';
  constructor(
    code:
      | typeof ErrorCode.AuthRequired
      | typeof ErrorCode.AuthInvalid
      | typeof ErrorCode.AuthExpired
      | typeof ErrorCode.AuthTokenTooLarge,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A payload failed its schema or size check. */
export class PayloadError extends GatewayError {
  override name = 'PayloadError';
  constructor(
    code:
      | typeof ErrorCode.BadPayload
      | typeof ErrorCode.PayloadTooLarge
      | typeof ErrorCode.PayloadTooDeep,
    message: string,
  ) {
    super(code, message);
  }
}

/** The world cannot be joined or addressed (not found, forbidden, not ready, not joined). */
export class WorldAccessError extends GatewayError {
  override name = 'WorldAccessError';
  constructor(
    code:
      | typeof ErrorCode.WorldNotFound
      | typeof ErrorCode.WorldForbidden
      | typeof ErrorCode.WorldNotReady
      | typeof ErrorCode.NotInWorld
      | typeof ErrorCode.TooManyWorlds,
    readonly worldId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The connection sends faster than its token bucket allows. */
export class RateLimitedError extends GatewayError {
  override name = 'RateLimitedError';
  constructor(retryAfterMs: number) {
    super(ErrorCode.RateLimited, `too many messages: retry in ${retryAfterMs} ms`, {
      extra: { retryAfterMs },
    });
  }
}

/** A command reused a sequence number (or went backwards). */
export class SeqReplayedError extends GatewayError {
  override name = 'SeqReplayedError';
  constructor(seq: number, lastSeq: number) {
    super(ErrorCode.SeqReplayed, `seq ${seq} is not above the last accepted seq ${lastSeq}`);
  }
}

/** The engine refused or could not be reached. */
export class EngineCallError extends GatewayError {
  override name = 'EngineCallError';
  constructor(
    code:
      | typeof ErrorCode.EngineUnavailable
      | typeof ErrorCode.EngineRejected
      | typeof ErrorCode.WorldNotReady
      | typeof ErrorCode.Busy
      | typeof ErrorCode.RateLimited
      | typeof ErrorCode.Internal,
    message: string,
    options?: { cause?: unknown; engineCode?: string; retryAfterMs?: number },
  ) {
    const { cause, engineCode, retryAfterMs } = options ?? {};
    super(code, message, {
      cause,
      extra: {
        ...(engineCode ? { engineCode } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    });
  }
}

/** The gateway's database failed. */
export class StorageUnavailableError extends GatewayError {
  override name = 'StorageUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.StorageUnavailable, message, options);
  }
}

/** The caller lacks the role for this namespace or action. */
export class ForbiddenError extends GatewayError {
  override name = 'ForbiddenError';
  constructor(message: string) {
    super(ErrorCode.Forbidden, message);
  }
}
