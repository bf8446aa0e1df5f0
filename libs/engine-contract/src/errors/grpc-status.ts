import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  CapacityError,
  DeadlineExceededError,
  EngineError,
  EngineErrorCode,
  EngineUnavailableError,
  InvalidCommandError,
  PreconditionError,
  UnauthenticatedError,
  UnsupportedCommandError,
  WorldOwnedElsewhereError,
} from './engine-error';

/** The gRPC status of each engine error code. */
export const GRPC_STATUS_BY_CODE: Readonly<Record<EngineErrorCode, GrpcStatus>> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNIMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  INTERNAL: GrpcStatus.INTERNAL,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
};

/** Metadata key carrying the error class name, so clients rebuild the same class. */
export const ERROR_NAME_METADATA_KEY = 'anvil-error-name';
/** Metadata key carrying a WorldOwnedElsewhereError's owner address. */
export const OWNER_ADDRESS_METADATA_KEY = 'anvil-owner-address';

/** What a grpc-js unary handler passes to its callback for a failed call. */
export interface GrpcErrorStatus {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

/**
 * Maps anything thrown by a handler to a gRPC status. Engine errors keep their code and
 * message; anything else is INTERNAL with a generic message (the cause is not leaked).
 */
export function toGrpcStatus(error: unknown): GrpcErrorStatus {
  const metadata = new Metadata();
  if (error instanceof EngineError) {
    metadata.set(ERROR_NAME_METADATA_KEY, error.name);
    if (error instanceof WorldOwnedElsewhereError)
      metadata.set(OWNER_ADDRESS_METADATA_KEY, error.ownerAddress);
    return { code: GRPC_STATUS_BY_CODE[error.code], details: error.message, metadata };
  }
  return { code: GrpcStatus.INTERNAL, details: 'internal engine error', metadata };
}

const CODE_BY_STATUS = new Map<number, EngineErrorCode>(
  Object.entries(GRPC_STATUS_BY_CODE).map(([code, status]) => [status, code as EngineErrorCode]),
);

/** Rebuilds an engine error from a failed call (client side); unknown statuses become INTERNAL. */
export function fromServiceError(error: ServiceError, method: string): EngineError {
  const name = error.metadata?.get(ERROR_NAME_METADATA_KEY)[0];
  const owner = error.metadata?.get(OWNER_ADDRESS_METADATA_KEY)[0];
  if (name === 'WorldOwnedElsewhereError' && typeof owner === 'string' && owner.length <= 253) {
    return new WorldOwnedElsewhereError(error.details || error.message, owner, { cause: error });
  }
  return engineErrorOf(error.code, error.details || error.message, method, {
    cause: error,
    name: typeof name === 'string' ? name : undefined,
  });
}

/**
 * The engine error class of a gRPC status, with the engine's error name (e.g. EngineBusyError)
 * when it sent one; unknown statuses become INTERNAL. `method` prefixes transport failures.
 */
export function engineErrorOf(
  status: number,
  message: string,
  method: string,
  options: { cause?: unknown; name?: string } = {},
): EngineError {
  const error = errorOfCode(
    CODE_BY_STATUS.get(status) ?? EngineErrorCode.Internal,
    message,
    method,
    options,
  );
  if (options.name) error.name = options.name;
  return error;
}

function errorOfCode(
  code: EngineErrorCode,
  message: string,
  method: string,
  options: { cause?: unknown },
): EngineError {
  switch (code) {
    case EngineErrorCode.InvalidArgument:
      return new InvalidCommandError(message, options);
    case EngineErrorCode.AlreadyExists:
      return new AlreadyExistsError(message, options);
    case EngineErrorCode.FailedPrecondition:
      return new PreconditionError(message, options);
    case EngineErrorCode.ResourceExhausted:
      return new CapacityError(message, options);
    case EngineErrorCode.Unimplemented:
      return new UnsupportedCommandError(message, options);
    case EngineErrorCode.Unauthenticated:
      return new UnauthenticatedError(message, options);
    case EngineErrorCode.Unavailable:
      return new EngineUnavailableError(`${method}: ${message}`, options);
    case EngineErrorCode.DeadlineExceeded:
      return new DeadlineExceededError(`${method}: ${message}`, options);
    default:
      return new EngineError(code, message, options);
  }
}

/** True when an engine answered that it does not run the world (a call's WorldNotFoundError). */
export function isUnknownWorldError(error: unknown): boolean {
  return (
    error instanceof EngineError &&
    error.code === EngineErrorCode.NotFound &&
    (error.name === 'WorldNotFoundError' || /^unknown world /.test(error.message))
  );
}

/** Where the world lives when an engine answered that another replica owns it (else undefined). */
export function ownerAddressOf(error: unknown): string | undefined {
  return error instanceof WorldOwnedElsewhereError ? error.ownerAddress : undefined;
}
