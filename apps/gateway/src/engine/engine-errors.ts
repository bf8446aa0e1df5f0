import { Metadata } from '@grpc/grpc-js';
import { ERROR_NAME_METADATA_KEY, EngineError, EngineErrorCode } from '@anvil/engine-contract';
import { ErrorCode } from '../errors/error-codes';
import { EngineCallError } from '../errors/gateway-error';

/** The engine error class name carried in the status metadata (e.g. WorldNotFoundError). */
function engineErrorName(error: EngineError): string | undefined {
  const metadata = (error.cause as { metadata?: unknown } | undefined)?.metadata;
  if (!(metadata instanceof Metadata)) return undefined;
  const value = metadata.get(ERROR_NAME_METADATA_KEY)[0];
  return typeof value === 'string' ? value : undefined;
}

/** True when the engine said it does not run this world. */
export function isUnknownWorld(error: unknown): boolean {
  return (
    error instanceof EngineError &&
    error.code === EngineErrorCode.NotFound &&
    (engineErrorName(error) === 'WorldNotFoundError' || /^unknown world /.test(error.message))
  );
}

/**
 * Translates an engine call failure into the client's terms: unreachable or too slow is
 * ENGINE_UNAVAILABLE, a world the engine does not run is WORLD_NOT_READY, an engine INTERNAL is
 * INTERNAL (without its text), anything else the engine refused is ENGINE_REJECTED with the
 * engine's code and message.
 */
export function fromEngineError(error: unknown, worldId: string): EngineCallError {
  if (!(error instanceof EngineError)) {
    return new EngineCallError(ErrorCode.Internal, 'internal error while calling the engine', { cause: error });
  }
  switch (error.code) {
    case EngineErrorCode.Unavailable:
    case EngineErrorCode.DeadlineExceeded:
      return new EngineCallError(ErrorCode.EngineUnavailable, 'the interaction engine is unavailable; retry later', { cause: error });
    case EngineErrorCode.Internal:
      return new EngineCallError(ErrorCode.Internal, 'the engine failed to handle the request', { cause: error });
    default:
      if (isUnknownWorld(error)) {
        return new EngineCallError(ErrorCode.WorldNotReady, `world "${worldId}" is not running on its engine yet`, { cause: error });
      }
      return new EngineCallError(ErrorCode.EngineRejected, error.message, { cause: error, engineCode: error.code });
  }
}
