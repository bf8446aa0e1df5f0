import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { NotFoundError, type Storage } from '@anvil/storage';
import { GatewayConfigService } from '../config/gateway-config.service';
import { MetricsService } from '../metrics/metrics.service';
import { LOGGER, STORAGE } from '../storage/storage.tokens';
import type { TraceContext } from '../engine/trace';

/** Audit actions the gateway records. */
export const AuditAction = {
  Join: 'world.join',
  Leave: 'world.leave',
  Kick: 'player.kick',
  AdminListWorlds: 'admin.list-worlds',
  AdminListPlayers: 'admin.list-players',
} as const;

/**
 * Writes the audit log and player sessions through `@anvil/storage`. Writes the client waits
 * for (join) propagate errors; background writes (leave on disconnect) are logged and counted
 * in `anvil_gateway_storage_errors_total`, never dropped silently.
 */
@Injectable()
export class AuditService {
  private readonly gateway: string;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    config: GatewayConfigService,
  ) {
    this.gateway = config.get('instanceId');
  }

  /** Appends an audit entry; resolves when stored. */
  async record(
    actor: string,
    action: string,
    trace: TraceContext,
    worldId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.storage.audit.record({
      actor,
      action,
      worldId,
      traceId: trace.traceId,
      details: { gateway: this.gateway, ...details },
    });
  }

  /** Opens a session row for a player joining a world; resolves with its id. */
  async openSession(playerId: string, worldId: string): Promise<string> {
    return (await this.storage.sessions.open({ playerId, worldId, gateway: this.gateway })).id;
  }

  /**
   * Records the last acknowledged seq and closes the session. A session that is gone went with
   * its world (the control plane deleted it): nothing is left to close.
   */
  async closeSession(sessionId: string, lastSeq: number): Promise<void> {
    try {
      if (lastSeq > 0) await this.storage.sessions.ack(sessionId, lastSeq);
      await this.storage.sessions.close(sessionId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  /** Runs a write in the background: failures are logged with context and counted. */
  background(
    operation: string,
    write: () => Promise<unknown>,
    context: Record<string, unknown>,
  ): void {
    const pending = write()
      .catch((error: unknown) => {
        this.metrics.storageErrors.inc({ operation });
        this.logger.error({ err: error, operation, ...context }, 'storage write failed');
      })
      .finally(() => this.pending.delete(pending));
    this.pending.add(pending);
  }

  /** Waits for background writes (shutdown), at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.pending]), timeout]);
    clearTimeout(timer);
  }

  /** Closes sessions a previous run of this instance left open (crash, kill). */
  async closeStaleSessions(): Promise<number> {
    return this.storage.sessions.closeAllForGateway(this.gateway);
  }
}
