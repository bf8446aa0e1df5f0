import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Storage } from '@anvil/storage';
import { GatewayConfigService } from '../config/gateway-config.service';
import { isWorldNotRunning } from '../engine/engine-errors';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import type { TraceContext } from '../engine/trace';
import { ErrorCode } from '../errors/error-codes';
import { GatewayError } from '../errors/gateway-error';
import { LOGGER, STORAGE } from '../storage/storage.tokens';
import { WorldRegistryService } from './world-registry.service';

// A try costs the replica asked one lease read; the world is back at most the longest wait after
// its new owner has it (the failover goal is 2 s).
const RELOCATE_FIRST_DELAY_MS = 50;
const RELOCATE_MAX_DELAY_MS = 200;
/** The lease roles of game modules (`@anvil/ownership`'s gameRole). */
const GAME_ROLE_PREFIX = 'game:';

const isUnavailable = (error: unknown) =>
  error instanceof GatewayError && error.code === ErrorCode.EngineUnavailable;

/**
 * The one owner of "the engine does not run this world": the first call after the control
 * plane made a world Ready, or after the interaction engine restarted, gets the engine's
 * unknown-world error (WORLD_NOT_READY once translated). The world is then started there from
 * its record (Init is idempotent; one start per world at a time, however many calls failed)
 * and the call is made once more.
 *
 * And of "the world's engine is gone": when the replica that ran the world died or lost it (its
 * game module runs several replicas that own worlds by lease), the call gets UNAVAILABLE. The
 * world is then found again, on the replica its lease names or, by an Init, on the one that
 * takes it over, and the call is made once more: the player sees a pause, not an error. A
 * command sent again carries the same idempotency key, so one the engines had applied is
 * answered with its first result, not applied twice.
 */
@Injectable()
export class RunningWorldsService {
  /** Starts in flight, by world: true when the world was started afresh on its engine. */
  private readonly starting = new Map<string, Promise<boolean>>();

  constructor(
    private readonly engine: InteractionEngineService,
    private readonly registry: WorldRegistryService,
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly config: GatewayConfigService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Runs `call`, an engine call about `worldId`. If the engine does not run the world, starts
   * it once, runs `restore` (what the restarted engine lost, e.g. the caller's body) and calls
   * again. If the world's engine is gone, finds the world again (restoring when it had to be
   * started afresh) and calls again, as long as calls keep failing UNAVAILABLE until
   * ENGINE_RELOCATE_DEADLINE_MS after the first did: the replica that just took the world over
   * may still be bringing it back (too slow, or lost it again). Other failures are the caller's.
   */
  async call<T>(
    worldId: string,
    trace: TraceContext,
    call: () => Promise<T>,
    restore?: () => Promise<void>,
  ): Promise<T> {
    let started = false;
    let restoring = false;
    let deadline: number | undefined;
    for (;;) {
      try {
        // What a world started afresh lost goes back first; that call is found again too.
        if (restoring) await restore?.();
        restoring = false;
        return await call();
      } catch (error) {
        // The engine lost the world: what it lost goes back. A replica that took the world over
        // restored it (its players too), unless it had to start it afresh.
        if (isWorldNotRunning(error) && !started) {
          started = true;
          restoring = (await this.start(worldId, trace, false), true);
        } else if (isUnavailable(error) && Date.now() < (deadline ??= this.relocateDeadline())) {
          restoring = (await this.start(worldId, trace, true)) || restoring;
        } else {
          // The player gets it although the world was started or found again: say why.
          if (started || deadline !== undefined)
            this.logger.warn(
              { err: error, worldId, started, relocating: deadline !== undefined },
              'an engine call failed after its world was started or found again',
            );
          throw error;
        }
      }
    }
  }

  private relocateDeadline(): number {
    return Date.now() + this.config.get('engine').relocateDeadlineMs;
  }

  private start(worldId: string, trace: TraceContext, relocate: boolean): Promise<boolean> {
    let starting = this.starting.get(worldId);
    if (!starting) {
      const start = relocate ? this.relocate(worldId, trace) : this.init(worldId, trace);
      starting = start.finally(() => this.starting.delete(worldId));
      this.starting.set(worldId, starting);
    }
    return starting;
  }

  /** Starts the world on its engine: at `via`, else where its calls go now. */
  private async init(worldId: string, trace: TraceContext, via?: string): Promise<boolean> {
    // Fresh: a world its control plane just retired (Terminating) must not be started again.
    const world = await this.registry.requireReady(worldId, { fresh: true });
    this.logger.info(
      { worldId, bindings: world.bindings.length },
      'starting the world on the interaction engine',
    );
    return (await this.engine.start(world, trace, via)).created;
  }

  /**
   * Finds the world again after its replica failed: the replica its live lease names, else its
   * module's address (where an Init lets a replica take it over once the dead owner's lease
   * ended), retried with backoff for up to ENGINE_RELOCATE_DEADLINE_MS.
   */
  private async relocate(worldId: string, trace: TraceContext): Promise<boolean> {
    const failed = this.engine.addressOf(worldId);
    const deadline = this.relocateDeadline();
    for (
      let delay = RELOCATE_FIRST_DELAY_MS;
      ;
      delay = Math.min(delay * 2, RELOCATE_MAX_DELAY_MS)
    ) {
      // The world's route stays as it is until the world is found: a call made meanwhile fails
      // at the old owner and waits for this, rather than reaching a replica the module's
      // address picks, which does not run the world.
      const owner = await this.liveOwner(worldId, failed);
      try {
        const created = await this.init(worldId, trace, owner ?? this.engine.entryOf(worldId));
        this.logger.info(
          { worldId, from: failed, to: this.engine.addressOf(worldId) },
          "found the world again after its game module's replica failed",
        );
        return created;
      } catch (error) {
        if (!isUnavailable(error) || Date.now() + delay > deadline) {
          this.logger.warn({ err: error, worldId, from: failed }, 'could not find the world again');
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** The address of the replica whose live lease holds the world now, if not `failed`. */
  private async liveOwner(worldId: string, failed: string): Promise<string | undefined> {
    try {
      const leases = await this.storage.leases.liveOf(worldId, GAME_ROLE_PREFIX);
      return leases.find((lease) => lease.address !== failed)?.address;
    } catch (error) {
      this.logger.warn({ err: error, worldId }, "could not read the world's leases");
      return undefined;
    }
  }
}
