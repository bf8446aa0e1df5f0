import { EngineBusyError, type PlayerCommand } from '@anvil/engine-contract';

/** A player command waiting for its world's next batch. */
export interface QueuedCommand {
  command: PlayerCommand;
  traceparent: string;
  resolve: (result: { applyTick: number; entityId: string }) => void;
  reject: (error: unknown) => void;
}

/**
 * One world's commands between their arrival and their answer. The commands that arrive in one
 * turn of the event loop become one batch, run in arrival order; batches do not wait for each
 * other (the physics engine applies a world's commands in the order they reach it). Commands
 * waiting or in flight are bounded: past `limit` a command is refused BUSY (EngineBusyError)
 * instead of queued, which is what a world whose physics engine falls behind answers.
 */
export class WorldCommandQueue {
  private waiting: QueuedCommand[] = [];
  private scheduled = false;
  private unanswered = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly worldId: string,
    private readonly limit: number,
    private readonly run: (batch: QueuedCommand[]) => Promise<void>,
  ) {}

  /** Commands waiting for their batch or for its answer. */
  get size(): number {
    return this.unanswered;
  }

  /** Queues a command for the next batch; settles with its answer. */
  submit(
    command: PlayerCommand,
    traceparent = '',
  ): Promise<{ applyTick: number; entityId: string }> {
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
