import type { EngineCommand } from '@anvil/engine-contract';
import { batchTrace } from '@anvil/telemetry';
import {
  EngineBusyError,
  EngineUnavailableError,
  InvalidCommandError,
  SenderFence,
  UnsupportedCommandError,
  isPhysicsIntent,
} from '@anvil/engine-contract';
import { MAX_LOG_BACKLOG, type CommandLogWriter } from '../log/command-log-writer';
import { intentEntityId, type KeyedResult } from '../simulation/applied-keys';
import type { WorldSimulation } from '../simulation/world-simulation';
import { TickLoop, type TickLoopOptions } from '../tick/tick-loop';
import type { WorldCheckpoints } from './checkpoints';
import type { DeltaPublisher } from './delta-publisher';

/** The callers waiting for the entry of the next tick boundary. */
interface Batch {
  promise: Promise<void>;
  settle: (written: Promise<void>) => void;
}

/** Traces a step keeps (the rest of a busy tick's commands are not linked to its events). */
const MAX_TRACES_PER_TICK = 32;

/** Where a world was stopped to be handed over: the checkpoint saved at that tick boundary. */
export interface WorldHandover {
  tick: number;
  /** The seq of its last command-log entry, every one of them acknowledged. */
  logSeq: number;
}

function newBatch(): Batch {
  let settle!: (written: Promise<void>) => void;
  const promise = new Promise<void>((resolve) => (settle = resolve));
  return { promise, settle };
}

/**
 * One world in a running engine: its simulation, its command log, its delta publisher and (in
 * auto mode) its fixed-step loop. Every step, clock-driven or from the Tick RPC, goes through
 * `stepOnce`, which logs the batch it applied.
 */
export class WorldRuntime {
  private readonly loop?: TickLoop;
  /** Callers of the intents queued now; settled with the next step's log append. */
  private batch: Batch | undefined;
  /** The traces of the commands queued now: the step's log entry, delta and checkpoint join them. */
  private tickTraces: string[] = [];
  /** The epoch marker's append (with ownership): the world serves once it is in the log. */
  readonly marked: Promise<void> = Promise.resolve();
  /** Callers that own the world by lease (its game module): a paused one's late calls are refused. */
  readonly senders: SenderFence;
  private closing?: Promise<WorldHandover | undefined>;
  /** When each step of its close ended (performance.now()): a handover's log line shows them. */
  readonly closeSteps: CloseSteps = {};
  /**
   * Settles once the world knows the idempotency keys of what it applied before it came here: a
   * handed-over world runs at once and learns them from its log meanwhile (keyed commands wait).
   */
  private keysKnown: Promise<void> = Promise.resolve();

  constructor(
    readonly worldId: string,
    readonly sim: WorldSimulation,
    private readonly publisher: DeltaPublisher,
    private readonly log: CommandLogWriter,
    loopOptions?: TickLoopOptions,
    private readonly checkpoints?: WorldCheckpoints,
    /** The lease epoch this replica runs the world under (0: no ownership). */
    readonly epoch = 0,
    /**
     * Whether to write an epoch marker (with ownership). Not after a trusted handover: its
     * previous holder closed its log with every entry acknowledged before it released the
     * lease, so no entry of an older epoch can land after this holder's first one.
     */
    marker = true,
  ) {
    this.senders = new SenderFence(worldId);
    // The epoch marker goes first, before any step can append: readers learn the takeover seq.
    if (epoch > 0 && marker) {
      this.marked = log.append(sim.tick, []);
      this.marked.catch(() => undefined);
    }
    if (loopOptions) {
      this.loop = new TickLoop(() => this.stepOnce(), loopOptions);
      this.loop.start();
    }
  }

  /**
   * Steps once now (a clock-driven world; the loop's schedule stays): a world that came back
   * shows its players where it is without waiting a tick, and its first delta leaves in the
   * same produce request as its epoch marker, appended in the same turn.
   */
  stepAtOnce(): void {
    this.loop?.stepNow();
  }

  /** The seq of the world's last command-log entry (acknowledged or not). */
  get logSeq(): number {
    return this.log.lastSeq;
  }

  /** True when the engine's clock steps this world (the Tick RPC is refused). */
  get clockDriven(): boolean {
    return this.loop !== undefined;
  }

  /**
   * Validates and queues a command for the next tick boundary and resolves with that tick and
   * the body it addresses: on a clock-driven world once the entry holding it is in the log, on a
   * manually ticked one at once (the Tick call that applies it answers once its entries are
   * logged). Refused while the log is not writable (UNAVAILABLE) or too far behind
   * (RESOURCE_EXHAUSTED). A command whose idempotency `key` the world remembers (queued or
   * applied) is answered with the first one's result, and nothing is queued (`repeat`).
   */
  async apply(command: EngineCommand, key = '', traceparent = ''): Promise<KeyedResult> {
    if (command.type === 'module') {
      throw new InvalidCommandError(
        `unknown module command type "${command.moduleType}": the physics engine has none`,
      );
    }
    if (!isPhysicsIntent(command)) {
      throw new UnsupportedCommandError(
        `the physics engine applies physics intents only; send "${command.type}" to the interaction engine`,
      );
    }
    if (!this.log.writable) {
      throw new EngineUnavailableError(
        `world "${this.worldId}": the command log is not writable; commands are refused until it is`,
      );
    }
    if (this.log.backlog >= MAX_LOG_BACKLOG) {
      throw new EngineBusyError(
        `world "${this.worldId}": ${this.log.backlog} command-log entries are waiting for the bus (at most ${MAX_LOG_BACKLOG})`,
      );
    }
    if (key) await this.keysLearned();
    const known = key ? this.sim.keyed(key) : undefined;
    if (known) return this.repeat(known);
    const applyTick = this.sim.enqueue(command, true, key);
    if (traceparent && this.tickTraces.length < MAX_TRACES_PER_TICK)
      this.tickTraces.push(traceparent);
    const result = { applyTick, entityId: intentEntityId(command) };
    if (!this.loop) return result;
    this.batch ??= newBatch();
    await this.batch.promise;
    return result;
  }

  /** Keyed commands wait for `learning` (the keys of the log's entries before this replica's). */
  learnKeysMeanwhile(learning: Promise<void>): void {
    this.keysKnown = learning;
    learning.catch(() => undefined);
  }

  private async keysLearned(): Promise<void> {
    await this.keysKnown.catch((error: unknown) => {
      throw new EngineUnavailableError(
        `world "${this.worldId}": the idempotency keys of its earlier commands could not be read: ${String(error)}`,
        { cause: error },
      );
    });
    if (this.closing)
      throw new EngineUnavailableError(`world "${this.worldId}" closed before the command applied`);
  }

  /** True when a command with this idempotency key would be answered as a repeat. */
  knows(key: string): boolean {
    return key !== '' && this.sim.keyed(key) !== undefined;
  }

  /**
   * Answers a repeated key as its first command was: once that command's entry is in the log
   * (a queued one waits for the next tick's entry, as the first does; an applied one for the
   * entries appended so far, at once for keys learned from the log).
   */
  private async repeat(known: KeyedResult & { pending: boolean }): Promise<KeyedResult> {
    const result = { applyTick: known.applyTick, entityId: known.entityId };
    if (known.pending) {
      if (this.loop) {
        this.batch ??= newBatch();
        await this.batch.promise;
      }
    } else {
      const unknown = (reason: string) =>
        new EngineUnavailableError(
          `world "${this.worldId}": ${reason}; the command's outcome is unknown`,
        );
      await this.log.logged(this.log.lastSeq).catch((error: unknown) => {
        throw unknown(String(error));
      });
      // As for the first answer: nothing is acknowledged on a lease that may have ended.
      const fenced = this.log.refusal();
      if (fenced !== undefined) throw unknown(fenced);
    }
    return result;
  }

  /**
   * Steps once, appends the applied batch to the command log, publishes the tick's delta and
   * (every N-th tick) starts a checkpoint. Returns the append (undefined when nothing applied).
   */
  stepOnce(): Promise<void> | undefined {
    const result = this.sim.step();
    const batch = this.batch;
    this.batch = undefined;
    const traces = this.tickTraces;
    this.tickTraces = [];
    const trace = batchTrace(traces);
    let written: Promise<void> | undefined;
    if (result.applied.length > 0) {
      written = this.log.append(result.tick, result.applied, result.keys, trace);
      // The callers see the rejection; this copy only must not count as unhandled.
      written.catch(() => undefined);
    }
    batch?.settle(written ?? Promise.resolve());
    this.publisher.publish(result, trace);
    const seq = this.log.lastSeq;
    const appendedAt = this.log.lastAppendedAt;
    this.checkpoints?.afterStep(
      this.sim,
      { seq, appendedAt, logged: () => this.log.logged(seq) },
      traces,
    );
    return written;
  }

  /**
   * Resolves once every entry appended so far is acknowledged; UNAVAILABLE at once while the
   * log is not writable (a retried Tick must not answer before its entries are in the log).
   */
  async logged(): Promise<void> {
    if (!this.log.writable) {
      throw new EngineUnavailableError(
        `world "${this.worldId}": the command log is not writable; its last ticks are not logged yet`,
      );
    }
    await this.log.logged(this.log.lastSeq);
  }

  /** Resolves when the checkpoint save in flight (if any) has settled. */
  flushCheckpoints(): Promise<void> {
    return this.checkpoints?.flush() ?? Promise.resolve();
  }

  /** Loop, log and publisher counters. */
  stats() {
    return {
      tick: this.sim.tick,
      loop: this.loop?.stats(),
      log: this.log.stats(),
      publisher: this.publisher.stats(),
      checkpoints: this.checkpoints?.stats(),
    };
  }

  /**
   * Stops the loop, waits for the log appends, queued publishes and the checkpoint in flight,
   * frees the simulation. Callers still waiting for a tick that will not run get UNAVAILABLE.
   */
  async close(): Promise<void> {
    // Once: a world lost while it was starting is closed by both (never freed twice).
    this.closing ??= this.closeOnce();
    await this.closing;
  }

  /**
   * Stops the world at a tick boundary to hand it over to another replica: as `close`, and, when
   * every entry it appended is in the log, saves a checkpoint of the tick it stopped at before
   * the simulation is freed. Resolves with where it stopped, or undefined when it could not be
   * left exactly there (an entry not logged, no checkpoints, the save failed or was fenced):
   * then its next owner restores it from its checkpoint and log, as after a crash.
   */
  handOver(): Promise<WorldHandover | undefined> {
    this.closing ??= this.closeOnce(() => this.saveWhereStopped());
    return this.closing;
  }

  private async saveWhereStopped(): Promise<WorldHandover | undefined> {
    const { checkpoints, log, sim } = this;
    if (!checkpoints || log.stats().loggedSeq !== log.lastSeq) return undefined;
    // The queued intents were refused to their callers: not part of what is handed over.
    sim.discardPending();
    const handover = { tick: sim.tick, logSeq: log.lastSeq };
    const position = { seq: handover.logSeq, appendedAt: log.lastAppendedAt };
    return (await checkpoints.saveNow(sim.snapshot(), position)) ? handover : undefined;
  }

  private async closeOnce(
    beforeFree?: () => Promise<WorldHandover | undefined>,
  ): Promise<WorldHandover | undefined> {
    this.loop?.stop();
    this.batch?.settle(
      Promise.reject(
        new EngineUnavailableError(`world "${this.worldId}" closed before the command applied`),
      ),
    );
    this.batch = undefined;
    const ended = (step: keyof CloseSteps) => () =>
      void (this.closeSteps[step] = performance.now());
    await Promise.all([
      this.log.close().then(ended('log')),
      this.publisher.flush().then(ended('deltas')),
      this.flushCheckpoints().then(ended('checkpoints')),
    ]);
    try {
      return await beforeFree?.();
    } finally {
      ended('saved')();
      this.sim.free();
    }
  }
}

/** When the steps of a world's close ended (performance.now()), each once it did. */
export interface CloseSteps {
  /** The log appends in flight settled. */
  log?: number;
  /** The queued deltas were published. */
  deltas?: number;
  /** The checkpoint in flight was written. */
  checkpoints?: number;
  /** The handover's own checkpoint was saved (or not needed). */
  saved?: number;
}
