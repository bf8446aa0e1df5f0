/** Settings of the per-key failure backoff. */
export interface BackoffOptions {
  /** Delay after the first failure, in ms. */
  baseDelayMs: number;
  /** Cap on the delay, in ms (reached after log2(max/base) failures). */
  maxDelayMs: number;
  /** Fraction of the delay that is randomised: 0.5 gives a delay in [d/2, d]. */
  jitter: number;
}

/** Defaults close to controller-runtime's (5 ms .. 1000 s) but with a friendlier cap. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  baseDelayMs: 100,
  maxDelayMs: 60_000,
  jitter: 0.5,
};

/**
 * Exponential backoff per key with jitter, like client-go's ItemExponentialFailureRateLimiter:
 * the n-th consecutive failure of a key waits min(max, base * 2^(n-1)), of which the `jitter`
 * fraction is random, so a permanently failing key settles at one attempt per `maxDelayMs`
 * and many keys failing together do not retry in lockstep. `forget` resets a key on success.
 */
export class FailureBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.baseDelayMs > 0) || options.maxDelayMs < options.baseDelayMs) {
      throw new RangeError(
        `backoff needs 0 < baseDelayMs <= maxDelayMs, got ${options.baseDelayMs}..${options.maxDelayMs}`,
      );
    }
    if (!(options.jitter >= 0 && options.jitter <= 1))
      throw new RangeError(`backoff jitter must be in [0, 1], got ${options.jitter}`);
  }

  /** Records a failure of `key` and returns how long to wait before its next attempt. */
  next(key: string): number {
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    return jittered(backoffDelay(count, this.options), this.options.jitter, this.random);
  }

  /** Consecutive failures recorded for `key`. */
  attempts(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Clears the key's failures (call on success). */
  forget(key: string): void {
    this.failures.delete(key);
  }
}

/** The un-jittered delay after `failures` consecutive failures (1-based). */
export function backoffDelay(
  failures: number,
  { baseDelayMs, maxDelayMs }: Pick<BackoffOptions, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 52);
  return Math.min(maxDelayMs, baseDelayMs * 2 ** exponent);
}

/** `delay` minus a random share of at most `jitter * delay`. */
export function jittered(delay: number, jitter: number, random: () => number): number {
  return Math.round(delay * (1 - jitter * random()));
}
