import type { EngineCommand } from '@anvil/engine-contract';
import {
  InvalidCommandError,
  UnsupportedCommandError,
  isPhysicsIntent,
} from '@anvil/engine-contract';
import type { WorldSimulation } from '../simulation/world-simulation';
import { TickLoop, type TickLoopOptions } from '../tick/tick-loop';
import type { WorldCheckpoints } from './checkpoints';
import type { DeltaPublisher } from './delta-publisher';

/**
 * One world in a running engine: its simulation, its delta publisher and (in auto mode) its
 * fixed-step loop. Every step, clock-driven or from the Tick RPC, goes through `stepOnce`.
 */
export class WorldRuntime {
  private readonly loop?: TickLoop;

  constructor(
    readonly worldId: string,
    readonly sim: WorldSimulation,
    private readonly publisher: DeltaPublisher,
    loopOptions?: TickLoopOptions,
    private readonly checkpoints?: WorldCheckpoints,
  ) {
    if (loopOptions) {
      this.loop = new TickLoop(() => this.stepOnce(), loopOptions);
      this.loop.start();
    }
  }

  /** True when the engine's clock steps this world (the Tick RPC is refused). */
  get clockDriven(): boolean {
    return this.loop !== undefined;
  }

  /** Validates and queues a command for the next tick boundary; returns that tick. */
  apply(command: EngineCommand): number {
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
    return this.sim.enqueue(command);
  }

  /** Steps once, publishes the tick's delta and (every N-th tick) starts a checkpoint. */
  stepOnce(): void {
    this.publisher.publish(this.sim.step());
    this.checkpoints?.afterStep(this.sim);
  }

  /** Resolves when the checkpoint save in flight (if any) has settled. */
  flushCheckpoints(): Promise<void> {
    return this.checkpoints?.flush() ?? Promise.resolve();
  }

  /** Loop and publisher counters. */
  stats() {
    return {
      tick: this.sim.tick,
      loop: this.loop?.stats(),
      publisher: this.publisher.stats(),
      checkpoints: this.checkpoints?.stats(),
    };
  }

  /** Stops the loop, waits for queued publishes and the checkpoint in flight, frees the simulation. */
  async close(): Promise<void> {
    this.loop?.stop();
    await Promise.all([this.publisher.flush(), this.flushCheckpoints()]);
    this.sim.free();
  }
}
