import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { EngineErrorCode } from '@anvil/engine-contract';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import type { TraceContext } from '../engine/trace';
import { WorkQueue } from '../engine/work-queue';
import { ErrorCode } from '../errors/error-codes';
import { GatewayError } from '../errors/gateway-error';
import { LOGGER } from '../storage/storage.tokens';
import { Presence } from './presence';
import { RunningWorldsService } from './running-worlds.service';

const engineCode = (error: unknown) =>
  error instanceof GatewayError ? error.extra.engineCode : undefined;

/**
 * Keeps each player's body in the interaction engine while the player has a connection to the
 * world on this instance: `join` with the first socket, `leave` after the last one has gone
 * (after a grace period when it merely dropped). Leaves run in the background through a
 * bounded queue with retries, so a disconnect storm does not flood the engine; a returning
 * player's join waits for its pending leave.
 */
@Injectable()
export class PlayerBodiesService {
  private readonly presence = new Presence();
  private readonly leaves: WorkQueue;
  /** Leaves queued or running, by `world/player`. */
  private readonly pendingLeaves = new Map<string, Promise<void>>();

  constructor(
    private readonly engine: InteractionEngineService,
    private readonly running: RunningWorldsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.leaves = new WorkQueue({
      concurrency: 8,
      attempts: 3,
      retryDelayMs: 200,
      retryable: (error) =>
        error instanceof GatewayError && error.code === ErrorCode.EngineUnavailable,
      onFailure: (error, label) =>
        this.logger.warn(
          { err: error, leave: label },
          'engine leave failed; the body stays until the engine removes it',
        ),
    });
  }

  /**
   * Registers a socket of the player; the engine joins the player if it does not have it yet
   * (starting the world there first when it does not run it: RunningWorldsService).
   */
  async enter(
    worldId: string,
    playerId: string,
    socketId: string,
    trace: TraceContext,
  ): Promise<void> {
    if (!this.presence.add(worldId, playerId, socketId)) return;
    await this.pendingLeaves.get(`${worldId}/${playerId}`);
    const join = () => this.engine.apply(worldId, { type: 'join', playerId }, trace);
    try {
      await this.running.call(worldId, trace, join);
    } catch (error) {
      // Already there: another gateway instance, or a body left behind by a previous run.
      if (engineCode(error) !== EngineErrorCode.AlreadyExists) {
        this.presence.remove(worldId, playerId, socketId, 0, () => undefined);
        throw error;
      }
    }
    this.presence.setInEngine(worldId, playerId, true);
  }

  /**
   * The engine lost the world while the player was in it (it restarted, and the world was
   * started there again): puts the player's body back (kept when physics still has it).
   */
  async rejoin(worldId: string, playerId: string, trace: TraceContext): Promise<void> {
    try {
      await this.engine.apply(worldId, { type: 'join', playerId }, trace);
    } catch (error) {
      if (engineCode(error) !== EngineErrorCode.AlreadyExists) throw error;
    }
  }

  /** Unregisters a socket; if it was the player's last, the engine is told after `graceMs`. */
  exit(
    worldId: string,
    playerId: string,
    socketId: string,
    graceMs: number,
    trace: TraceContext,
  ): void {
    this.presence.remove(worldId, playerId, socketId, graceMs, () => {
      this.presence.setInEngine(worldId, playerId, false);
      const key = `${worldId}/${playerId}`;
      const done = this.leaves.push(key, () => this.leave(worldId, playerId, trace));
      this.pendingLeaves.set(key, done);
      void done.then(() => this.pendingLeaves.get(key) === done && this.pendingLeaves.delete(key));
    });
  }

  /** Players with a socket here in a world. */
  players(worldId: string): string[] {
    return this.presence.players(worldId);
  }

  /** Shutdown: pending grace periods end now; resolves when the leaves are done or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    this.presence.flushLeaves();
    if (!(await this.leaves.drain(timeoutMs)))
      this.logger.warn({ pending: this.leaves.size }, 'shutdown: engine leaves still pending');
  }

  private async leave(worldId: string, playerId: string, trace: TraceContext): Promise<void> {
    // Back in the meantime: keep the body (the join waiting for this leave will find it).
    if (this.presence.hasSockets(worldId, playerId)) return;
    try {
      await this.engine.apply(worldId, { type: 'leave', playerId }, trace);
    } catch (error) {
      // NOT_FOUND: already gone (an earlier attempt whose answer came too late did it).
      if (engineCode(error) !== EngineErrorCode.NotFound) throw error;
    }
  }
}
