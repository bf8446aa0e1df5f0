/** Milliseconds from a monotonic clock (injected so tests control time). */
export type Now = () => number;

/** The outcome of taking a token. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * A token bucket: holds up to `burst` tokens, refills `perSecond` tokens a second, and each
 * message takes one. Pure state plus an injected clock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: Now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes one token, or says how long until one is available. */
  take(): TakeResult {
    const now = this.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.updatedAt) * this.perSecond) / 1000,
    );
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - this.tokens) * 1000) / this.perSecond) };
  }
}
