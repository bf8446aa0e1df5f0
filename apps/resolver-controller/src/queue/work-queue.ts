import { FailureBackoff } from './backoff';
import { unrefTimers, type TimerHandle, type Timers } from '@anvil/runtime';

/** What a handler returns: nothing (done), or a timed retry that is not a failure. */
export interface HandlerResult {
  requeueAfterMs?: number;
}

/** Processes one key; throwing means "retry with backoff" (unless the error is terminal). */
export type KeyHandler = (key: string) => Promise<HandlerResult | void>;

/** How one handler call ended, for metrics and logs. */
export type HandlerOutcome = 'success' | 'requeue' | 'error' | 'terminal';

/** Observers of the queue (metrics, logs); all optional. */
export interface WorkQueueHooks {
  /** A handler call ended; `retryInMs` is set when the key was scheduled again after an error. */
  onDone?(
    key: string,
    outcome: HandlerOutcome,
    durationMs: number,
    error?: unknown,
    retryInMs?: number,
  ): void;
  /** The number of keys ready to be processed changed. */
  onDepth?(depth: number): void;
}

/** Settings of a WorkQueue. */
export interface WorkQueueOptions {
  handler: KeyHandler;
  /** Keys processed at the same time (never the same key twice). */
  concurrency: number;
  backoff?: FailureBackoff;
  timers?: Timers;
  /** Monotonic-ish clock for durations; default performance.now. */
  now?: () => number;
  /** Errors that must not be retried (logged once, key forgotten). */
  isTerminal?: (error: unknown) => boolean;
  hooks?: WorkQueueHooks;
}

/**
 * A deduplicating work queue with a worker pool, modelled on client-go's workqueue as Agones'
 * `pkg/util/workerqueue` uses it: a key is queued at most once however often it is added; a key
 * that is being processed is never handed to a second worker, and if it was added meanwhile it
 * is processed again once the first call is done; failures are retried after a per-key
 * exponential backoff with jitter; `addAfter` schedules timed retries. `stop` pauses the workers
 * (keys stay queued) so a replica that loses leadership stops reconciling.
 */
export class WorkQueue {
  private readonly fifo: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; handle: TimerHandle }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly backoff: FailureBackoff;
  private readonly timers: Timers;
  private readonly now: () => number;
  private running = false;

  constructor(private readonly options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.backoff = options.backoff ?? new FailureBackoff();
    this.timers = options.timers ?? unrefTimers;
    this.now = options.now ?? (() => performance.now());
  }

  /** Queues `key` now (a pending delayed add of it is dropped: the key runs sooner). */
  add(key: string): void {
    this.cancelDelayed(key);
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again when its current run is done
    this.fifo.push(key);
    this.depthChanged();
    this.pump();
  }

  /** Queues `key` after `ms`; an earlier pending delayed add of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (ms <= 0) return this.add(key);
    const at = this.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.timers.clearTimeout(pending.handle);
    const handle = this.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, handle });
  }

  /** Starts (or resumes) the workers. */
  start(): void {
    this.running = true;
    this.pump();
  }

  /** Pauses the workers and waits for the calls in flight; queued keys stay queued. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.inFlight]);
  }

  /** Stops and forgets everything, including delayed adds. */
  async shutDown(): Promise<void> {
    await this.stop();
    for (const key of [...this.delayed.keys()]) this.cancelDelayed(key);
    this.fifo.length = 0;
    this.dirty.clear();
    this.depthChanged();
  }

  /** Keys ready to be processed (not counting those in flight or delayed). */
  get depth(): number {
    return this.fifo.length;
  }

  /** Keys waiting for a delayed add (timed retries and backoff). */
  get delayedCount(): number {
    return this.delayed.size;
  }

  /** Keys being processed right now. */
  get activeCount(): number {
    return this.processing.size;
  }

  /** Consecutive failures of `key` so far. */
  failures(key: string): number {
    return this.backoff.attempts(key);
  }

  private pump(): void {
    while (
      this.running &&
      this.processing.size < this.options.concurrency &&
      this.fifo.length > 0
    ) {
      const key = this.fifo.shift() as string;
      this.dirty.delete(key);
      this.processing.add(key);
      this.depthChanged();
      const run = this.process(key).finally(() => {
        this.inFlight.delete(run);
        this.processing.delete(key);
        if (this.dirty.has(key)) this.fifo.push(key);
        this.depthChanged();
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async process(key: string): Promise<void> {
    const started = this.now();
    const hooks = this.options.hooks;
    try {
      const result = await this.options.handler(key);
      this.backoff.forget(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined && after >= 0) this.addAfter(key, after);
      hooks?.onDone?.(key, after !== undefined ? 'requeue' : 'success', this.now() - started);
    } catch (error) {
      if (this.options.isTerminal?.(error)) {
        this.backoff.forget(key);
        hooks?.onDone?.(key, 'terminal', this.now() - started, error);
        return;
      }
      const delay = this.backoff.next(key);
      this.addAfter(key, Math.max(1, delay));
      hooks?.onDone?.(key, 'error', this.now() - started, error, delay);
    }
  }

  private cancelDelayed(key: string): void {
    const pending = this.delayed.get(key);
    if (!pending) return;
    this.timers.clearTimeout(pending.handle);
    this.delayed.delete(key);
  }

  private depthChanged(): void {
    this.options.hooks?.onDepth?.(this.fifo.length);
  }
}
