import { systemClock, systemTimers, type Clock, type Timers } from '@anvil/runtime';

/** Configuration of a fixed-step loop. */
export interface TickLoopOptions {
  /** Steps per second. */
  hz: number;
  /** Most steps run in one wake-up to catch up after a stall; the rest are dropped and counted. */
  maxCatchUpSteps: number;
  clock?: Clock;
  timers?: Timers;
  /** Told at each wake-up that runs steps: how late it was against the schedule (ms), and how many it runs. */
  onWake?: (lateMs: number, steps: number) => void;
  /** Told when a wake-up had to drop steps (how many). */
  onLag?: (droppedSteps: number) => void;
  /** Told when a step throws; the loop stops (the process keeps serving other worlds). */
  onError?: (error: unknown) => void;
}

/** Counters of a running loop. */
export interface TickLoopStats {
  /** Steps run. */
  steps: number;
  /** Steps skipped because the loop fell more than maxCatchUpSteps behind. */
  droppedSteps: number;
  /** Wake-ups that had to drop steps. */
  lagEvents: number;
}

/**
 * A fixed-step loop that never drifts: step k is due at start + k * dt on the monotonic
 * clock, independent of how late any wake-up was. A late wake-up runs every due step (at
 * most maxCatchUpSteps); beyond that the schedule jumps ahead and the skipped steps are
 * counted, so the simulation slows down under overload instead of spiralling.
 */
export class TickLoop {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly dtMs: number;
  private startedAt = 0;
  /** Index k of the next step, due at startedAt + k * dt (no accumulated float error). */
  private nextIndex = 1;
  private handle: unknown;
  private running = false;
  private readonly counters: TickLoopStats = { steps: 0, droppedSteps: 0, lagEvents: 0 };

  constructor(
    private readonly onStep: () => void,
    private readonly options: TickLoopOptions,
  ) {
    if (!(options.hz > 0) || !(options.maxCatchUpSteps >= 1))
      throw new Error('tick loop needs hz > 0 and maxCatchUpSteps >= 1');
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.dtMs = 1000 / options.hz;
  }

  /** Starts stepping; the first step is due one period from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.clock.now();
    this.nextIndex = 1;
    this.schedule();
  }

  /**
   * Runs one step now, outside the schedule (the next scheduled step stays where it was), with
   * the same accounting and error handling as a scheduled one.
   */
  stepNow(): void {
    if (!this.running) return;
    this.runSteps(1);
  }

  /** Stops after the current step; no timer is left behind. */
  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** A copy of the counters. */
  stats(): TickLoopStats {
    return { ...this.counters };
  }

  private dueAt(index: number): number {
    return this.startedAt + index * this.dtMs;
  }

  private schedule(): void {
    if (!this.running) return;
    this.handle = this.timers.setTimeout(
      () => this.wake(),
      Math.max(0, this.dueAt(this.nextIndex) - this.clock.now()),
    );
  }

  private wake(): void {
    this.handle = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    const first = this.dueAt(this.nextIndex);
    const due =
      now >= first
        ? Math.max(1, Math.floor((now - this.startedAt) / this.dtMs) - this.nextIndex + 1)
        : 0;
    const run = Math.min(due, this.options.maxCatchUpSteps);
    if (due > run) {
      this.counters.droppedSteps += due - run;
      this.counters.lagEvents++;
      this.options.onLag?.(due - run);
    }
    this.nextIndex += due;
    if (run > 0) this.options.onWake?.(now - first, run);
    if (this.runSteps(run)) this.schedule();
  }

  /** Runs up to `count` steps; false (and stopped) when one threw. */
  private runSteps(count: number): boolean {
    try {
      for (let i = 0; i < count && this.running; i++) {
        this.counters.steps++;
        this.onStep();
      }
      return true;
    } catch (error) {
      this.stop();
      this.options.onError?.(error);
      return false;
    }
  }
}
