import { worldTopic, type CloudEvent, type EventBus } from '@anvil/bus';
import { EngineUnavailableError, type PhysicsIntent } from '@anvil/engine-contract';
import { systemTimers, type Timers } from '@anvil/runtime';
import { entryToEvent, type CommandLogEntry } from './command-log-entry';

/**
 * Log entries a world may have handed to the bus and not yet seen acknowledged. Past it (the bus
 * is slow or down) the world refuses new commands (RESOURCE_EXHAUSTED), so memory stays bounded.
 */
export const MAX_LOG_BACKLOG = 256;

/** First and longest delay between two attempts to write an entry the bus refused. */
export const LOG_RETRY_DELAY_MS = { first: 100, max: 5_000 } as const;

/** Counters of a writer. */
export interface CommandLogStats {
  /** The seq of the last entry acknowledged by the bus (0: none). */
  loggedSeq: number;
  /** Entries handed to the bus and not yet acknowledged. */
  backlog: number;
  /** Publish attempts the bus refused. */
  failedAttempts: number;
  writable: boolean;
}

/** What a writer needs besides the bus and the world. */
export interface CommandLogWriterOptions {
  topicPrefix?: string;
  /** The writer's lease epoch (0: no ownership, one replica). */
  epoch?: number;
  /**
   * Asked before entries the bus took are acknowledged: why they may not be (the lease was lost
   * or not renewed in time), or undefined. Refused entries stay in the log; their callers learn
   * UNAVAILABLE with an unknown outcome, never a success the next owner might not have.
   */
  fence?: () => string | undefined;
  /** The seq of the world's last entry already in the log (0: a new log). */
  lastSeq?: number;
  timers?: Timers;
  /** Told about every failed attempt (the entry is retried). */
  onError?: (error: unknown, seq: number) => void;
}

interface Pending {
  entry: CommandLogEntry;
  event: CloudEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
  settled: boolean;
}

/**
 * Appends one world's command-log entries to the bus in seq order (docs/engine-contract.md, "The
 * command log"). `append` resolves once the bus acknowledged the entry. When the bus refuses a
 * write, every entry waiting rejects at once with UNAVAILABLE and the writer turns unwritable,
 * but the entries stay queued and are retried (with backoff) until the bus takes them: they
 * were applied, so the log must hold them for a replay to reach the live state. The writer is
 * writable again once its queue is empty.
 */
export class CommandLogWriter {
  private readonly topic: string;
  private readonly epoch: number;
  private readonly timers: Timers;
  private readonly queue: Pending[] = [];
  private nextSeq: number;
  private appendedAt: number | undefined;
  private loggedSeq: number;
  private failed = false;
  private failedAttempts = 0;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(
    private readonly bus: EventBus,
    readonly worldId: string,
    private readonly options: CommandLogWriterOptions = {},
  ) {
    this.topic = worldTopic('commands', options.topicPrefix);
    this.epoch = options.epoch ?? 0;
    this.timers = options.timers ?? systemTimers;
    this.loggedSeq = options.lastSeq ?? 0;
    this.nextSeq = this.loggedSeq + 1;
  }

  /** False from a refused write until everything queued is in the log. */
  get writable(): boolean {
    return !this.failed;
  }

  /** Why entries may not be acknowledged now (the lease was lost or not renewed), or undefined. */
  refusal(): string | undefined {
    return this.options.fence?.();
  }

  /** Entries appended and not yet acknowledged. */
  get backlog(): number {
    return this.queue.length;
  }

  /** The seq the last appended entry got (acknowledged or not). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /**
   * When the entry `lastSeq` was appended here (epoch ms, the time its event carries; its record
   * is stamped no earlier); undefined before this writer appended one.
   */
  get lastAppendedAt(): number | undefined {
    return this.appendedAt;
  }

  /**
   * Appends the batch applied at `tick` as the next entry (with the intents' idempotency keys,
   * parallel to them, when any has one); resolves once the bus acknowledged it, rejects with
   * EngineUnavailableError when it could not be written (yet). `traceparent`: the trace the
   * entry's publish joins (the batch's first sampled command).
   */
  append(
    tick: number,
    intents: PhysicsIntent[],
    keys?: string[],
    traceparent?: string,
  ): Promise<void> {
    const entry: CommandLogEntry = {
      worldId: this.worldId,
      tick,
      seq: this.nextSeq++,
      epoch: this.epoch,
      intents,
    };
    if (keys?.some((key) => key !== '')) entry.keys = keys;
    // Built once: a retry writes the very same event.
    const at = new Date();
    this.appendedAt = at.getTime();
    const event = entryToEvent(entry, at);
    if (traceparent) event.traceparent = traceparent;
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { entry, event, resolve, reject, settled: false };
      this.queue.push(pending);
      if (this.failed) this.refuse(pending, 'a previous entry is not written yet');
      this.pumping ??= this.pump();
    });
  }

  /**
   * Resolves once every entry up to `seq` is acknowledged (at once when it already is); rejects
   * when the writer closes first. A checkpoint claiming `seq` waits for it, so the log never
   * misses an entry a checkpoint includes.
   */
  logged(seq: number): Promise<void> {
    if (seq <= this.loggedSeq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** Resolves when the queue is empty (or, once `close` was called, when the writer gave up). */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /**
   * Stops retrying: the attempt in flight settles, then whatever is still queued rejects and is
   * reported as not logged. Resolves when done.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.flush();
  }

  stats(): CommandLogStats {
    return {
      loggedSeq: this.loggedSeq,
      backlog: this.queue.length,
      failedAttempts: this.failedAttempts,
      writable: this.writable,
    };
  }

  private async pump(): Promise<void> {
    // Let the appends of the same turn of the event loop join one publish.
    await new Promise((resolve) => setImmediate(resolve));
    let delay: number = LOG_RETRY_DELAY_MS.first;
    while (this.queue.length > 0) {
      const batch = this.queue.slice();
      try {
        await this.bus.publish(
          this.topic,
          this.worldId,
          batch.map((p) => p.event),
        );
      } catch (error) {
        this.failedAttempts++;
        this.failed = true;
        this.options.onError?.(error, batch[0].entry.seq);
        for (const pending of this.queue) this.refuse(pending, String(error), error);
        if (this.closed) break;
        await this.sleep(delay);
        delay = Math.min(delay * 2, LOG_RETRY_DELAY_MS.max);
        if (this.closed) break;
        continue;
      }
      delay = LOG_RETRY_DELAY_MS.first;
      this.queue.splice(0, batch.length);
      this.loggedSeq = batch[batch.length - 1].entry.seq;
      const fenced = this.options.fence?.();
      for (const pending of batch) {
        if (fenced !== undefined) this.refuse(pending, fenced);
        else if (!pending.settled) pending.resolve();
        pending.settled = true;
      }
      if (this.queue.length === 0) this.failed = false;
      const waiting = this.waiters;
      this.waiters = waiting.filter((w) => w.seq > this.loggedSeq);
      for (const w of waiting) if (w.seq <= this.loggedSeq) w.resolve();
    }
    if (this.queue.length > 0) {
      const lost = this.queue.splice(0);
      for (const pending of lost) this.refuse(pending, 'the world closed');
      this.options.onError?.(
        new Error(`closed with ${lost.length} entries not logged`),
        lost[0].entry.seq,
      );
    }
    if (this.closed) {
      for (const w of this.waiters.splice(0))
        w.reject(new Error(`command-log entry ${w.seq} was not logged before the world closed`));
    }
    this.pumping = undefined;
  }

  private refuse(pending: Pending, reason: string, cause?: unknown): void {
    if (pending.settled) return;
    pending.settled = true;
    pending.reject(
      new EngineUnavailableError(
        `world "${this.worldId}": the command log is not writable (${reason}); the command's outcome is unknown`,
        cause === undefined ? undefined : { cause },
      ),
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = this.timers.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        this.timers.clearTimeout(handle);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
