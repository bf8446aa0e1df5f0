import { EngineError, EngineErrorCode, isUnknownWorldError } from '@anvil/engine-contract';
import { ErrorCode } from '../errors/error-codes';
import { EngineCallError, GatewayError } from '../errors/gateway-error';

/** How long a client waits before resending a command refused BUSY: about a tick. */
export const BUSY_RETRY_AFTER_MS = 50;
/** How long a client waits after the game rules' per-player rate limit: its window. */
export const PLAYER_RATE_RETRY_AFTER_MS = 1_000;

/**
 * Translates an engine call failure into the client's terms: unreachable or too slow is
 * ENGINE_UNAVAILABLE, a world the engine does not run is WORLD_NOT_READY, engines behind are
 * BUSY, the rules' per-player rate is RATE_LIMITED, an engine INTERNAL is INTERNAL (without its
 * text), anything else the engine refused is ENGINE_REJECTED with the engine's code and message.
 */
export function fromEngineError(error: unknown, worldId: string): EngineCallError {
  if (!(error instanceof EngineError)) {
    return new EngineCallError(ErrorCode.Internal, 'internal error while calling the engine', {
      cause: error,
    });
  }
  switch (error.code) {
    case EngineErrorCode.Unavailable:
    case EngineErrorCode.DeadlineExceeded:
      return new EngineCallError(
        ErrorCode.EngineUnavailable,
        'the interaction engine is unavailable; retry later',
        { cause: error },
      );
    // A refused engine token is the deployment's fault: players get INTERNAL, the log the cause.
    case EngineErrorCode.Unauthenticated:
    case EngineErrorCode.Internal:
      return new EngineCallError(ErrorCode.Internal, 'the engine failed to handle the request', {
        cause: error,
      });
    default:
      if (error.name === 'EngineBusyError') {
        return new EngineCallError(ErrorCode.Busy, error.message, {
          cause: error,
          retryAfterMs: BUSY_RETRY_AFTER_MS,
        });
      }
      if (error.name === 'PlayerRateLimitedError') {
        return new EngineCallError(ErrorCode.RateLimited, error.message, {
          cause: error,
          retryAfterMs: PLAYER_RATE_RETRY_AFTER_MS,
        });
      }
      if (isUnknownWorldError(error)) {
        return new EngineCallError(
          ErrorCode.WorldNotReady,
          `world "${worldId}" is not running on its engine yet`,
          { cause: error },
        );
      }
      return new EngineCallError(ErrorCode.EngineRejected, error.message, {
        cause: error,
        engineCode: error.code,
      });
  }
}

/** True when a translated engine call failed because the engine does not run the world. */
export function isWorldNotRunning(error: unknown): boolean {
  return error instanceof GatewayError && error.code === ErrorCode.WorldNotReady;
}
