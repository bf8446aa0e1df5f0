import type { Clock, TimerHandle, Timers } from './clock';

/**
 * A clock and timers moved by hand, for tests: `advance(ms)` moves time and fires due timers in
 * order, `setNow` jumps without firing (a stalled event loop).
 */
export class ManualClock implements Clock, Timers {
  private time: number;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing each timer at its due time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let due = this.nextDue(end); due; due = this.nextDue(end)) this.fire(due);
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

  /** Delays of the timers still pending, relative to now, soonest first. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** The earliest timer due at or before `end` (by time, then by scheduling order). */
  protected nextDue(end: number): number | undefined {
    let best: number | undefined;
    for (const [id, timer] of this.timers) {
      const current = best === undefined ? undefined : this.timers.get(best);
      if (timer.at <= end && (!current || timer.at < current.at)) best = id;
    }
    return best;
  }

  /** Runs timer `id` at its due time (time never moves back). */
  protected fire(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    this.timers.delete(id);
    this.time = Math.max(this.time, timer.at);
    timer.callback();
  }
}
