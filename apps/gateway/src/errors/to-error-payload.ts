import { StorageError } from '@anvil/storage';
import { ErrorCode, type ErrorPayload } from './error-codes';
import { GatewayError } from './gateway-error';

/**
 * Any error -> the payload a client receives. Gateway errors keep code and message; a storage
 * failure is STORAGE_UNAVAILABLE; anything else is INTERNAL with a generic message (the
 * details go to the log, never to the client). `expected` is false for the latter two.
 */
export function toErrorPayload(error: unknown): { payload: ErrorPayload; expected: boolean } {
  if (error instanceof GatewayError) return { payload: error.toPayload(), expected: true };
  if (error instanceof StorageError) {
    return {
      payload: {
        code: ErrorCode.StorageUnavailable,
        message: 'the gateway database is unavailable; retry later',
      },
      expected: false,
    };
  }
  return {
    payload: { code: ErrorCode.Internal, message: 'internal gateway error' },
    expected: false,
  };
}
