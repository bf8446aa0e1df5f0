/**
 * Named errors of the controller (each sets `name`; `cause` keeps the underlying error).
 * Terminal errors are logged once and not retried (controller-runtime's TerminalError).
 */

/** An error that retrying cannot fix. */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

/** The resolution refers to something its own inputs do not contain (a bug, never retried). */
export class InconsistentResolutionError extends TerminalError {
  override name = 'InconsistentResolutionError';
}

/** A call to the Kubernetes API failed; `status` is the HTTP status when there was one. */
export class KubeApiError extends Error {
  override name = 'KubeApiError';

  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** HTTP statuses that retrying the same request cannot fix (the object itself is refused). */
const PERMANENT_STATUSES = new Set([400, 422]);

/**
 * Some binding writes of one reconcile failed (the others went through). It is `permanent`
 * when the API server refused every failed object as invalid: the same inputs would build the
 * same objects, so it is not retried; a change to the inputs requeues the world anyway.
 */
export class ApplyBindingsError extends Error {
  override name = 'ApplyBindingsError';
  readonly permanent: boolean;

  constructor(
    readonly failures: ReadonlyArray<{ name: string; error: unknown }>,
    options?: { cause?: unknown },
  ) {
    const first = failures[0];
    super(
      `${failures.length} binding write(s) failed; first: ${first?.name}: ${first?.error instanceof Error ? first.error.message : String(first?.error)}`,
      options,
    );
    this.permanent =
      failures.length > 0 &&
      failures.every(
        ({ error }) =>
          error instanceof KubeApiError &&
          error.status !== undefined &&
          PERMANENT_STATUSES.has(error.status),
      );
  }
}

/** True for errors the work queue must not retry. */
export function isTerminal(error: unknown): boolean {
  return error instanceof TerminalError || (error instanceof ApplyBindingsError && error.permanent);
}

/** A one-line description of any thrown value. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
