import { ManualClock as SyncManualClock } from '@anvil/runtime';

/**
 * The runtime's ManualClock, starting at a plausible wall-clock time, whose `advance` lets
 * promise callbacks run between the timers it fires (the controller's loops await between
 * steps).
 */
export class ManualClock extends SyncManualClock {
  constructor(start = 1_700_000_000_000) {
    super(start);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  override async advance(ms: number): Promise<void> {
    const end = this.now() + ms;
    for (;;) {
      await flushPromises();
      const due = this.nextDue(end);
      if (due === undefined) break;
      this.fire(due);
    }
    this.setNow(end);
    await flushPromises();
  }
}

/** Lets every queued promise callback (and the ones they queue) run. */
export async function flushPromises(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
