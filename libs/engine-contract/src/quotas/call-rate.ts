import { CapacityError } from '../errors/engine-error';

/** Distinct callers an engine tracks call rates for at once (callers name themselves). */
export const MAX_TRACKED_CALLERS = 1_024;

/** Limits of a CallRateLimiter. */
export interface CallRateLimits {
  /** Calls one caller may make per one-second window. */
  perSecond: number;
  /** Distinct callers tracked at once; a new caller past it is refused until a window ends. */
  maxCallers: number;
}

interface Window {
  startMs: number;
  count: number;
}

/**
 * Calls per second per caller, in fixed one-second windows. Memory is bounded: at most
 * `maxCallers` windows are kept, and expired ones are dropped when room is needed. Time comes
 * from the caller (a monotonic clock in ms), so the rule is pure and testable.
 */
export class CallRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limits: CallRateLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  /** Counts one call of `caller` at `nowMs`; throws CapacityError (RESOURCE_EXHAUSTED) past a limit. */
  admit(caller: string, nowMs: number): void {
    let window = this.windows.get(caller);
    if (window && nowMs - window.startMs >= 1_000) {
      window.startMs = nowMs;
      window.count = 0;
    }
    if (!window) {
      if (this.windows.size >= this.limits.maxCallers) this.dropExpired(nowMs);
      if (this.windows.size >= this.limits.maxCallers) {
        throw new CapacityError(
          `too many distinct callers this second: at most ${this.limits.maxCallers}`,
        );
      }
      window = { startMs: nowMs, count: 0 };
      this.windows.set(caller, window);
    }
    if (window.count >= this.limits.perSecond) {
      throw new CapacityError(
        `caller "${caller}" is over its quota of ${this.limits.perSecond} calls per second`,
      );
    }
    window.count++;
  }

  /** Callers tracked now (tests: the bound holds). */
  get trackedCallers(): number {
    return this.windows.size;
  }

  private dropExpired(nowMs: number): void {
    for (const [caller, window] of this.windows)
      if (nowMs - window.startMs >= 1_000) this.windows.delete(caller);
  }
}
