/**
 * Named engine errors (docs/engine-contract.md "Errors"). Domain code throws these; the transport edge
 * (`toGrpcStatus`, the Nest filter in `@anvil/engine-contract/nest`) turns them into gRPC
 * statuses, and the client helper turns statuses back into the same classes.
 */

/** Error codes, one per gRPC status an engine answers with. */
export const EngineErrorCode = {
  InvalidArgument: 'INVALID_ARGUMENT',
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  FailedPrecondition: 'FAILED_PRECONDITION',
  ResourceExhausted: 'RESOURCE_EXHAUSTED',
  Unimplemented: 'UNIMPLEMENTED',
  Unavailable: 'UNAVAILABLE',
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
  Internal: 'INTERNAL',
  Unauthenticated: 'UNAUTHENTICATED',
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** Base class: every engine error carries a code that maps to one gRPC status. */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A command or request is malformed: empty oneof, non-finite number, out of range, bad id. */
export class InvalidCommandError extends EngineError {
  override name = 'InvalidCommandError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.InvalidArgument, message, options);
  }
}

/** The world id names no world on this engine. */
export class WorldNotFoundError extends EngineError {
  override name = 'WorldNotFoundError';
  constructor(
    readonly worldId: string,
    options?: { cause?: unknown },
  ) {
    super(EngineErrorCode.NotFound, `unknown world "${worldId}"`, options);
  }
}

/** A player or body the command names does not exist in the world. */
export class EntityNotFoundError extends EngineError {
  override name = 'EntityNotFoundError';
  constructor(
    readonly entity: 'player' | 'body',
    readonly entityId: string,
    options?: { cause?: unknown },
  ) {
    super(EngineErrorCode.NotFound, `unknown ${entity} "${entityId}"`, options);
  }
}

/** Something with that id already exists (a world with another config, a body, a player). */
export class AlreadyExistsError extends EngineError {
  override name = 'AlreadyExistsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.AlreadyExists, message, options);
  }
}

/** The command is valid but the world's state does not allow it now (cooldown, manual tick). */
export class PreconditionError extends EngineError {
  override name = 'PreconditionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.FailedPrecondition, message, options);
  }
}

/**
 * The world runs on another replica of the same engine module, the holder of its lease:
 * `ownerAddress` is that replica's own address, where the caller should send the world's calls.
 */
export class WorldOwnedElsewhereError extends PreconditionError {
  override name = 'WorldOwnedElsewhereError';
  constructor(
    message: string,
    readonly ownerAddress: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The caller's lease on the world is older than one the engine has seen for the same role: a
 * successor owns the world (docs/engine-contract.md, "Fencing the caller").
 */
export class SenderFencedError extends PreconditionError {
  override name = 'SenderFencedError';
}

/** A limit is reached: bodies per world, queued commands, message size. */
export class CapacityError extends EngineError {
  override name = 'CapacityError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.ResourceExhausted, message, options);
  }
}

/** This engine does not handle that kind of command (a player command sent to physics). */
export class UnsupportedCommandError extends EngineError {
  override name = 'UnsupportedCommandError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.Unimplemented, message, options);
  }
}

/** A dependency (another engine) cannot be reached. */
export class EngineUnavailableError extends EngineError {
  override name = 'EngineUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.Unavailable, message, options);
  }
}

/** A call did not finish before its deadline. */
export class DeadlineExceededError extends EngineError {
  override name = 'DeadlineExceededError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.DeadlineExceeded, message, options);
  }
}

/** The caller presented no engine token, or a wrong one (the token is never echoed). */
export class UnauthenticatedError extends EngineError {
  override name = 'UnauthenticatedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(EngineErrorCode.Unauthenticated, message, options);
  }
}

/**
 * The engine that would apply the command is behind: the commands waiting for it reached their
 * bound, so this one is refused rather than queued without bound. Retry after about a tick.
 */
export class EngineBusyError extends CapacityError {
  override name = 'EngineBusyError';
}

/** The player sent more commands than its rate allows (a per-player limit of the game rules). */
export class PlayerRateLimitedError extends CapacityError {
  override name = 'PlayerRateLimitedError';
}

/** The code an error is answered with: its own for an EngineError, INTERNAL for anything else. */
export function engineErrorCode(error: unknown): EngineErrorCode {
  return error instanceof EngineError ? error.code : EngineErrorCode.Internal;
}

/**
 * Counts how a call ends, `{ result: 'ok' }` or its error code (a metric label); returns the
 * call unchanged.
 */
export function countResult<T>(
  call: Promise<T>,
  counter: { inc(labels: { result: string }): void },
): Promise<T> {
  call.then(
    () => counter.inc({ result: 'ok' }),
    (error: unknown) => counter.inc({ result: engineErrorCode(error) }),
  );
  return call;
}
