import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Storage } from '@anvil/storage';
import { AuditAction, AuditService } from '../audit/audit.service';
import type { TraceContext } from '../engine/trace';
import { traceFrom } from '../engine/trace';
import { ErrorCode } from '../errors/error-codes';
import { StorageUnavailableError } from '../errors/gateway-error';
import type { AdminKickDto } from '../protocol/dto/admin.dto';
import { ClientEvent } from '../protocol/events';
import type { GatewaySocket } from '../protocol/socket-state';
import { STORAGE } from '../storage/storage.tokens';
import { ConnectionsService } from '../worlds/connections.service';
import { WorldRegistryService } from '../worlds/world-registry.service';
import { WorldsService } from '../worlds/worlds.service';
import { KickRelayService } from './kick-relay.service';

/** A world as an administrator sees it. */
export interface AdminWorldView {
  id: string;
  namespace: string;
  name: string;
  game: string;
  phase: string;
  /** Players connected to this gateway instance. */
  playersHere: number;
}

/** Administration: list worlds and players, kick a player. Every action is audited. */
@Injectable()
export class AdminService implements OnModuleInit {
  constructor(
    private readonly registry: WorldRegistryService,
    private readonly worlds: WorldsService,
    private readonly connections: ConnectionsService,
    private readonly relay: KickRelayService,
    private readonly audit: AuditService,
    @Inject(STORAGE) private readonly storage: Storage,
  ) {}

  onModuleInit(): void {
    this.relay.onKick((kick) =>
      this.kickHere(
        kick.playerId,
        kick.worldId,
        kick.reason,
        traceFrom(`00-${kick.traceId}-0000000000000001-01`),
      ),
    );
  }

  /** Every registered world with its phase and the players connected here. */
  async listWorlds(actor: string, trace: TraceContext): Promise<AdminWorldView[]> {
    const worlds = await this.registry.list();
    await this.audit.record(actor, AuditAction.AdminListWorlds, trace, null);
    return worlds.map((w) => ({
      id: w.id,
      namespace: w.namespace,
      name: w.name,
      game: w.game,
      phase: w.phase,
      playersHere: this.worlds.playersHere(w.id).length,
    }));
  }

  /** Open sessions of a world across all gateway instances. */
  async listPlayers(actor: string, worldId: string, trace: TraceContext) {
    let sessions;
    try {
      sessions = await this.storage.sessions.listOpen(worldId, { limit: 1_000 });
    } catch (cause) {
      throw new StorageUnavailableError('sessions are unavailable', { cause });
    }
    await this.audit.record(actor, AuditAction.AdminListPlayers, trace, worldId);
    return sessions.map((s) => ({
      playerId: s.playerId,
      sessionId: s.id,
      gateway: s.gateway,
      connectedAt: s.connectedAt.toISOString(),
      lastSeq: s.lastSeq,
    }));
  }

  /** Kicks a player here and on every other instance; resolves with the sockets kicked here. */
  async kick(actor: string, dto: AdminKickDto, trace: TraceContext): Promise<number> {
    const reason = dto.reason ?? 'kicked by an administrator';
    const kicked = this.kickHere(dto.playerId, dto.worldId, reason, trace);
    await this.audit.record(actor, AuditAction.Kick, trace, dto.worldId ?? null, {
      playerId: dto.playerId,
      reason,
      kickedHere: kicked,
    });
    await this.relay.publish({
      playerId: dto.playerId,
      worldId: dto.worldId,
      reason,
      actor,
      traceId: trace.traceId,
    });
    return kicked;
  }

  private kickHere(
    playerId: string,
    worldId: string | undefined,
    reason: string,
    trace: TraceContext,
  ): number {
    const sockets = this.connections
      .socketsOf(playerId)
      .filter((s) => !worldId || s.data.worlds[worldId]);
    for (const socket of sockets) this.kickSocket(socket, worldId, reason, trace);
    return sockets.length;
  }

  private kickSocket(
    socket: GatewaySocket,
    worldId: string | undefined,
    reason: string,
    trace: TraceContext,
  ): void {
    const worlds = worldId ? [worldId] : Object.keys(socket.data.worlds);
    for (const id of worlds) this.worlds.leave(socket, id, 'kicked', trace);
    socket.emit(ClientEvent.Exception, {
      event: 'kick',
      code: ErrorCode.Kicked,
      message: reason,
      ...(worldId ? { worldId } : {}),
    });
    if (!worldId) socket.disconnect(true);
  }
}
