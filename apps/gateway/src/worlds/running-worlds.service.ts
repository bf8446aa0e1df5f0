import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { isWorldNotRunning } from '../engine/engine-errors';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import type { TraceContext } from '../engine/trace';
import { LOGGER } from '../storage/storage.tokens';
import { WorldRegistryService } from './world-registry.service';

/**
 * The one owner of "the engine does not run this world": the first call after the control
 * plane made a world Ready, or after the interaction engine restarted, gets the engine's
 * unknown-world error (WORLD_NOT_READY once translated). The world is then started there from
 * its record (Init is idempotent; one start per world at a time, however many calls failed)
 * and the call is made once more.
 */
@Injectable()
export class RunningWorldsService {
  private readonly starting = new Map<string, Promise<void>>();

  constructor(
    private readonly engine: InteractionEngineService,
    private readonly registry: WorldRegistryService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Runs `call`, an engine call about `worldId`. If the engine does not run the world, starts
   * it, runs `restore` (what the restarted engine lost, e.g. the caller's body) and calls again;
   * a second failure is the caller's.
   */
  async call<T>(
    worldId: string,
    trace: TraceContext,
    call: () => Promise<T>,
    restore?: () => Promise<void>,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!isWorldNotRunning(error)) throw error;
    }
    await this.start(worldId, trace);
    await restore?.();
    return call();
  }

  private start(worldId: string, trace: TraceContext): Promise<void> {
    let starting = this.starting.get(worldId);
    if (!starting) {
      starting = this.init(worldId, trace).finally(() => this.starting.delete(worldId));
      this.starting.set(worldId, starting);
    }
    return starting;
  }

  private async init(worldId: string, trace: TraceContext): Promise<void> {
    // Fresh: a world its control plane just retired (Terminating) must not be started again.
    const world = await this.registry.requireReady(worldId, { fresh: true });
    this.logger.info(
      { worldId, bindings: world.bindings.length },
      'starting the world on the interaction engine',
    );
    await this.engine.start(world, trace);
  }
}
