/**
 * A counting semaphore: at most `limit` holders at a time; the others wait in FIFO order, those
 * in the background only while no one waits in the foreground.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly waitingInBackground: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
  }

  /** Runs `task` once a slot is free (`background`: once no foreground task waits for one). */
  async run<T>(task: () => Promise<T>, background = false): Promise<T> {
    if (this.active >= this.limit) {
      const queue = background ? this.waitingInBackground : this.waiting;
      await new Promise<void>((resolve) => queue.push(resolve));
    } else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift() ?? this.waitingInBackground.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiting.length + this.waitingInBackground.length;
  }
}
