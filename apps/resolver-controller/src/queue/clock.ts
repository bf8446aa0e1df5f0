/**
 * Time as a dependency: the queue, the reflectors and the leader elector take a Clock and
 * Timers so unit tests move time by hand (like client-node's `delayFn`, kubebuilder's Clock).
 */

/** Wall-clock milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** A cancellable timer handle. */
export type TimerHandle = unknown;

/** One-shot timers. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** Node's timers; unref'd so a pending retry never keeps a stopping process alive. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Resolves after `ms` on the given timers (rejects nothing; cancelled by `signal`). */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      timers.clearTimeout(handle);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
