/**
 * Every code a client can receive, in `connect_error.data.code`, in a failed ack
 * (`{ ok: false, code, message }`) or in an `exception` event. Stable: clients branch on these.
 */
export const ErrorCode = {
  /** No token in the handshake. */
  AuthRequired: 'AUTH_REQUIRED',
  /** The token is malformed, forged, for another audience, or its claims are unusable. */
  AuthInvalid: 'AUTH_INVALID',
  /** The token has expired (at connect, or later: the connection is then closed). */
  AuthExpired: 'AUTH_EXPIRED',
  /** The token is longer than the gateway accepts (JWT_MAX_TOKEN_BYTES). */
  AuthTokenTooLarge: 'AUTH_TOKEN_TOO_LARGE',
  /** The world is not registered. */
  WorldNotFound: 'WORLD_NOT_FOUND',
  /** The token's `worlds` claim does not include the world. */
  WorldForbidden: 'WORLD_FORBIDDEN',
  /** The world exists but is not in a joinable phase, or its engine does not run it yet. */
  WorldNotReady: 'WORLD_NOT_READY',
  /** The connection has not joined the world it addresses. */
  NotInWorld: 'NOT_IN_WORLD',
  /** The connection is already in as many worlds as allowed. */
  TooManyWorlds: 'TOO_MANY_WORLDS',
  /** The payload does not match the event's schema. */
  BadPayload: 'BAD_PAYLOAD',
  /** The event's payload is larger than the per-event limit, or holds too many entries (over 1,000 in one array/object, 10,000 in all). */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** The event's payload (or the handshake's `auth`) nests arrays/objects more than 32 deep. */
  PayloadTooDeep: 'PAYLOAD_TOO_DEEP',
  /** The event names nothing this gateway handles. */
  UnknownEvent: 'UNKNOWN_EVENT',
  /** The connection's token bucket is empty; retry after `retryAfterMs`. */
  RateLimited: 'RATE_LIMITED',
  /**
   * The world's engines are behind: the command was not queued (nor applied); retry after
   * `retryAfterMs`, about a tick.
   */
  Busy: 'BUSY',
  /** The command's sequence number is not above the last one accepted on this connection. */
  SeqReplayed: 'SEQ_REPLAYED',
  /** The interaction engine could not be reached in time. */
  EngineUnavailable: 'ENGINE_UNAVAILABLE',
  /** The engine refused the command (game rules); `engineCode` says why. */
  EngineRejected: 'ENGINE_REJECTED',
  /** The gateway's database could not be reached. */
  StorageUnavailable: 'STORAGE_UNAVAILABLE',
  /** The caller's role does not allow this (e.g. the admin namespace without the admin role). */
  Forbidden: 'FORBIDDEN',
  /** An administrator disconnected this player. */
  Kicked: 'KICKED',
  /** Anything unexpected; the details are in the gateway's log, not in the message. */
  Internal: 'INTERNAL',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What a client receives for any refusal. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** RATE_LIMITED and BUSY: when the next message will be accepted. */
  retryAfterMs?: number;
  /** ENGINE_REJECTED: the engine's own code (INVALID_ARGUMENT, NOT_FOUND, ...). */
  engineCode?: string;
}
