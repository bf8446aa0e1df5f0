/** The codes of the figures API's error answers (`{ error: { code, message } }`). */
export const ApiErrorCode = {
  InvalidWorldId: 'INVALID_WORLD_ID',
  InvalidQuery: 'INVALID_QUERY',
  RangeTooLarge: 'RANGE_TOO_LARGE',
  WorldNotFound: 'WORLD_NOT_FOUND',
  NotFound: 'NOT_FOUND',
  NotReady: 'NOT_READY',
  StorageUnavailable: 'STORAGE_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;

export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** An answer the API gives on purpose: its HTTP status, code and message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** More fields of the answer (e.g. the readiness checks). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A 400 INVALID_QUERY naming the parameter. */
export const invalidQuery = (name: string, message: string) =>
  new ApiError(400, ApiErrorCode.InvalidQuery, `${name}: ${message}`);
