/** Options of a WorkQueue. */
export interface WorkQueueOptions {
  /** Jobs running at the same time. */
  concurrency: number;
  /** Attempts per job, the first included. */
  attempts: number;
  /** Delay before the first retry (doubled per retry). */
  retryDelayMs: number;
  /** True when a failure is worth retrying. */
  retryable: (error: unknown) => boolean;
  /** Told about a job that finally failed. */
  onFailure: (error: unknown, label: string) => void;
}

interface Job {
  label: string;
  run: () => Promise<unknown>;
  done: () => void;
}

/**
 * Runs background jobs (engine calls nobody waits for, such as a player's leave) with bounded
 * concurrency and retries of transient failures, so that a thousand players disconnecting at
 * once does not become a thousand concurrent calls timing out in the engine's queue.
 */
export class WorkQueue {
  private readonly waiting: Job[] = [];
  private running = 0;
  private idle: Array<() => void> = [];

  constructor(private readonly options: WorkQueueOptions) {}

  /** Jobs queued or running. */
  get size(): number {
    return this.waiting.length + this.running;
  }

  /** Queues a job; resolves when it has finally succeeded or failed (it never rejects). */
  push(label: string, run: () => Promise<unknown>): Promise<void> {
    return new Promise((done) => {
      this.waiting.push({ label, run, done });
      this.pump();
    });
  }

  /** Resolves when every job has finished, or after `timeoutMs`; true when all finished. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift() as Job;
      this.running++;
      void this.attempt(job, 1).finally(() => {
        this.running--;
        job.done();
        this.pump();
        if (this.size === 0) this.idle.splice(0).forEach((resolve) => resolve());
      });
    }
  }

  private async attempt(job: Job, n: number): Promise<void> {
    try {
      await job.run();
    } catch (error) {
      if (n >= this.options.attempts || !this.options.retryable(error))
        return this.options.onFailure(error, job.label);
      await new Promise((r) => setTimeout(r, this.options.retryDelayMs * 2 ** (n - 1)));
      return this.attempt(job, n + 1);
    }
  }
}
