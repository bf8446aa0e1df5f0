import { EngineError, EngineErrorCode } from '../errors/engine-error';

/** Retry policy for idempotent calls. */
export interface RetryPolicy {
  /** Total attempts, the first included (1 = no retry). */
  attempts: number;
  /** Delay before the first retry; doubled on each further retry, capped by maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Default policy: 3 attempts, 50 ms then 100 ms. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  attempts: 3,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
};

/** Codes worth retrying: the server was not reached or did not answer in time. */
const TRANSIENT: ReadonlySet<EngineErrorCode> = new Set([
  EngineErrorCode.Unavailable,
  EngineErrorCode.DeadlineExceeded,
]);

/** True when an error is transient (UNAVAILABLE, DEADLINE_EXCEEDED). */
export const isTransient = (error: unknown): boolean =>
  error instanceof EngineError && TRANSIENT.has(error.code);

/** Runs `attempt` until it succeeds, fails with a non-transient error, or attempts run out. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= policy.attempts || !isTransient(error)) throw error;
      await sleep(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1)));
    }
  }
}
