/** A monotonic clock in milliseconds (injected so tests control time). */
export interface Clock {
  now(): number;
}

/** Timers the tick loop schedules its wake-ups with (injected with the clock). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's monotonic clock (never jumps with wall-clock changes). */
export const systemClock: Clock = { now: () => performance.now() };

/** Node's timers. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A clock and timers moved by hand: `advance(ms)` moves time and fires due timers in order,
 * `setNow` jumps without firing (a stalled event loop). For tests.
 */
export class ManualClock implements Clock, Timers {
  private time = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing each timer at its due time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }

  /** Fires the timers already due without moving time (after a `setNow` jump). */
  fireDue(): void {
    this.advance(0);
  }

  /** Jumps time without firing timers. */
  setNow(ms: number): void {
    this.time = ms;
  }

  /** Timers still scheduled. */
  get pending(): number {
    return this.timers.size;
  }
}
