import { EngineBusyError, type PlayerCommand } from '@anvil/engine-contract';

/** A command's answer: the tick its intent applies at and the entity it addresses. */
export interface CommandResult {
  applyTick: number;
  entityId: string;
}

/**
 * Idempotency keys a world's queue remembers: its last this-many keyed commands answered (or
 * still in flight). A repeat of an older one is planned again, and its intent carries the same
 * key to the physics engine, which remembers far more (docs/engine-contract.md, "Idempotency
 * keys").
 */
export const RECENT_KEYS_PER_WORLD = 8_192;

/** A player command waiting for its world's next batch. */
export interface QueuedCommand {
  command: PlayerCommand;
  traceparent: string;
  /** The command's idempotency key ('' for none): its intent carries it to the physics engine. */
  idempotencyKey: string;
  resolve: (result: CommandResult) => void;
  reject: (error: unknown) => void;
}

/**
 * One world's commands between their arrival and their answer. The commands that arrive in one
 * turn of the event loop become one batch, run in arrival order; batches do not wait for each
 * other (the physics engine applies a world's commands in the order they reach it). Commands
 * waiting or in flight are bounded: past `limit` a command is refused BUSY (EngineBusyError)
 * instead of queued, which is what a world whose physics engine falls behind answers.
 *
 * A command with an idempotency key the queue remembers (its last `recentKeys` keyed commands,
 * answered or in flight; refused ones are forgotten) gets the first one's answer, and is
 * neither queued nor planned again.
 */
export class WorldCommandQueue {
  private waiting: QueuedCommand[] = [];
  private scheduled = false;
  private unanswered = 0;
  private readonly running = new Set<Promise<void>>();
  /** The answers of recent keyed commands, by key, oldest first. */
  private readonly recent = new Map<string, Promise<CommandResult>>();

  constructor(
    private readonly worldId: string,
    private readonly limit: number,
    private readonly run: (batch: QueuedCommand[]) => Promise<void>,
    private readonly recentKeys = RECENT_KEYS_PER_WORLD,
  ) {}

  /** Commands waiting for their batch or for its answer. */
  get size(): number {
    return this.unanswered;
  }

  /**
   * Queues a command for the next batch; settles with its answer. A repeated `idempotencyKey`
   * the queue remembers settles with the first command's answer instead.
   */
  submit(command: PlayerCommand, traceparent = '', idempotencyKey = ''): Promise<CommandResult> {
    if (!idempotencyKey) return this.queue(command, traceparent, '');
    const known = this.recent.get(idempotencyKey);
    if (known) return known;
    const answer = this.queue(command, traceparent, idempotencyKey);
    this.recent.set(idempotencyKey, answer);
    if (this.recent.size > this.recentKeys) {
      this.recent.delete(this.recent.keys().next().value as string);
    }
    // A refused command applied nothing: sent again, it is planned again.
    answer.catch(() => {
      if (this.recent.get(idempotencyKey) === answer) this.recent.delete(idempotencyKey);
    });
    return answer;
  }

  private queue(
    command: PlayerCommand,
    traceparent: string,
    idempotencyKey: string,
  ): Promise<CommandResult> {
    if (this.unanswered >= this.limit) {
      return Promise.reject(
        new EngineBusyError(
          `world "${this.worldId}" has ${this.unanswered} commands waiting for its physics engine (MAX_QUEUED_COMMANDS_PER_WORLD); retry in a tick`,
        ),
      );
    }
    this.unanswered++;
    return new Promise((resolve, reject) => {
      let settled = false;
      // Settles once: a batch that fails as a whole rejects only what it did not answer.
      const settle = () => {
        if (!settled) this.unanswered--;
        const first = !settled;
        settled = true;
        return first;
      };
      this.waiting.push({
        command,
        traceparent,
        idempotencyKey,
        resolve: (result) => settle() && resolve(result),
        reject: (error) => settle() && reject(error),
      });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Refuses the commands still waiting (the world closed) and waits for the batches in flight. */
  async close(reason: unknown): Promise<void> {
    for (const queued of this.waiting.splice(0)) queued.reject(reason);
    await Promise.all(this.running);
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.waiting.splice(0);
    if (batch.length === 0) return;
    const running: Promise<void> = this.run(batch)
      .catch((error: unknown) => batch.forEach((queued) => queued.reject(error)))
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }
}
