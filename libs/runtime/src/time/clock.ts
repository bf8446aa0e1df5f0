/**
 * Time as a dependency: loops, queues and rate limits take a Clock (and Timers) so that unit
 * tests move time by hand.
 */

import { detached } from '@anvil/telemetry';

/** Milliseconds: monotonic (`systemClock`) or since the epoch (`wallClock`). */
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

/** The process's monotonic clock (never jumps with wall-clock changes). */
export const systemClock: Clock = { now: () => performance.now() };

/** `Date.now()`: for times that are compared with other machines' (leases). */
export const wallClock: Clock = { now: () => Date.now() };

/**
 * Node's timers. Callbacks run outside any trace: a timer is how loops go on, and a loop started
 * while serving a traced request is not part of that request.
 */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(detached(callback), ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Node's timers, unref'd: a pending retry never keeps a stopping process alive. */
export const unrefTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(detached(callback), ms).unref(),
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
