import type { Timers } from '@anvil/runtime';

/**
 * Runs `run` now and then `everyMs` after each run ends (never two at once) until stopped; a
 * failed run goes to `onError` and the next one runs as planned. The controller's syncs that
 * follow the cluster on a period (placements, module workloads) use it while leading.
 */
export class PeriodicTask {
  private timer: unknown;
  private running: Promise<void> | undefined;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly options: {
      everyMs: number;
      timers: Timers;
      onError: (error: unknown) => void;
    },
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    const tick = () => {
      this.running = this.run()
        .catch(this.options.onError)
        .finally(() => {
          this.running = undefined;
          if (this.timer !== undefined)
            this.timer = this.options.timers.setTimeout(tick, this.options.everyMs);
        });
    };
    this.timer = this.options.timers.setTimeout(tick, 0);
  }

  /** Stops the period and waits for the run in flight. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
