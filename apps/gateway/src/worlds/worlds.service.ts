import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { playerBodyId } from '@anvil/engine-contract';
import { mayJoin } from '../protocol/principal';
import { AuditAction, AuditService } from '../audit/audit.service';
import { GatewayConfigService } from '../config/gateway-config.service';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import { SnapshotService } from '../engine/snapshot.service';
import { traceFrom, type TraceContext } from '../engine/trace';
import { ErrorCode } from '../errors/error-codes';
import { StorageUnavailableError, WorldAccessError } from '../errors/gateway-error';
import { FanoutService } from '../fanout/fanout.service';
import type { JoinAckDto, WorldSnapshotDto } from '../protocol/dto/world.dto';
import { worldRoom, type GatewaySocket } from '../protocol/socket-state';
import { LOGGER } from '../storage/storage.tokens';
import { ConnectionsService } from './connections.service';
import { PlayerBodiesService } from './player-bodies.service';
import { requireJoined } from './require-joined';
import { WorldRegistryService } from './world-registry.service';

/** Why a socket leaves a world. */
export type LeaveReason = 'left' | 'disconnected' | 'kicked';

/**
 * Joining and leaving worlds: access checks, the socket's room and held deltas, the player's
 * body (PlayerBodiesService), sessions and the audit log. Answers are sent by the caller;
 * `afterAck` releases the deltas held while the answer was on its way.
 */
@Injectable()
export class WorldsService implements BeforeApplicationShutdown {
  constructor(
    private readonly registry: WorldRegistryService,
    private readonly bodies: PlayerBodiesService,
    private readonly snapshots: SnapshotService,
    private readonly engine: InteractionEngineService,
    private readonly fanout: FanoutService,
    private readonly audit: AuditService,
    private readonly config: GatewayConfigService,
    private readonly connections: ConnectionsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Joins a world and returns the ack with a snapshot; call `afterAck` once it is sent. */
  async join(socket: GatewaySocket, worldId: string, trace: TraceContext): Promise<JoinAckDto> {
    const { principal } = socket.data;
    if (!mayJoin(principal, worldId))
      throw new WorldAccessError(
        ErrorCode.WorldForbidden,
        worldId,
        `your token does not allow world "${worldId}"`,
      );
    const joined = Object.keys(socket.data.worlds);
    const max = this.config.get('worlds').maxPerConnection;
    if (!joined.includes(worldId) && joined.length >= max) {
      throw new WorldAccessError(
        ErrorCode.TooManyWorlds,
        worldId,
        `a connection may be in at most ${max} worlds: leave one first`,
      );
    }
    this.engine.route(await this.registry.requireReady(worldId));
    if (socket.data.worlds[worldId])
      return this.ack(socket, worldId, await this.heldSnapshot(socket, worldId));
    const sessionId = await this.openSession(principal.playerId, worldId);
    // Held before it enters the room, so no broadcast reaches it ahead of its snapshot.
    this.fanout.holdForSnapshot(socket, worldId);
    await socket.join(worldRoom(worldId));
    try {
      await this.enterEngine(socket, worldId, trace);
      const snapshot = await this.snapshots.get(worldId);
      socket.data.worlds[worldId] = { sessionId };
      this.audit.background(
        'audit',
        () =>
          this.audit.record(principal.playerId, AuditAction.Join, trace, worldId, {
            session: sessionId,
          }),
        { worldId },
      );
      return this.ack(socket, worldId, snapshot);
    } catch (error) {
      this.undoJoin(socket, worldId, sessionId, trace);
      throw error;
    }
  }

  /** Releases the deltas held while the join (or snapshot) answer was on its way. */
  afterAck(socket: GatewaySocket, worldId: string, tick: number): void {
    this.fanout.release(socket, worldId, tick);
  }

  /** A fresh snapshot of a joined world; call `afterAck` once it is sent. */
  async snapshot(socket: GatewaySocket, worldId: string): Promise<WorldSnapshotDto> {
    requireJoined(socket, worldId);
    return this.heldSnapshot(socket, worldId);
  }

  /** Leaves a world the socket has joined (explicit leave or kick). */
  leave(socket: GatewaySocket, worldId: string, reason: LeaveReason, trace: TraceContext): void {
    const joined = requireJoined(socket, worldId);
    delete socket.data.worlds[worldId];
    void socket.leave(worldRoom(worldId));
    this.fanout.forget(socket, worldId);
    this.exit(socket, worldId, joined.sessionId, reason, trace);
  }

  /** The socket closed: its worlds stay in socket.data (for a recovered reconnection), the rest goes. */
  disconnected(socket: GatewaySocket): void {
    this.fanout.dropSocket(socket);
    const trace = traceFrom();
    for (const [worldId, joined] of Object.entries(socket.data.worlds ?? {})) {
      this.exit(socket, worldId, joined.sessionId, 'disconnected', trace);
      joined.sessionId = undefined;
    }
  }

  /** A recovered connection: its worlds are back; re-register presence and sessions, resync if needed. */
  recovered(socket: GatewaySocket): void {
    const trace = traceFrom();
    for (const worldId of Object.keys(socket.data.worlds)) {
      if (!mayJoin(socket.data.principal, worldId)) {
        this.leave(socket, worldId, 'left', trace);
        continue;
      }
      const joined = socket.data.worlds[worldId];
      this.enterEngine(socket, worldId, trace).catch((error: unknown) =>
        this.logger.warn({ err: error, worldId }, 'rejoin after recovery failed'),
      );
      this.openSession(socket.data.principal.playerId, worldId).then(
        (id) => (joined.sessionId = id),
        (error: unknown) =>
          this.logger.warn({ err: error, worldId }, 'session reopen after recovery failed'),
      );
      if (socket.data.resync?.includes(worldId)) this.fanout.resync(socket, worldId);
    }
    socket.data.resync = undefined;
  }

  /** Players with a connection to this instance in a world (admin). */
  playersHere(worldId: string): string[] {
    return this.bodies.players(worldId);
  }

  /**
   * Shutdown, before socket.io closes: every connection is closed, and its players leave their
   * worlds now (not after the grace period: this instance will not see them come back), then
   * pending engine calls and storage writes are awaited.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.connections.disconnectAll();
    const timeoutMs = this.config.get('shutdownTimeoutMs') / 2;
    await this.bodies.flush(timeoutMs);
    await this.audit.drain(timeoutMs);
  }

  private ack(socket: GatewaySocket, worldId: string, snapshot: WorldSnapshotDto): JoinAckDto {
    const playerId = socket.data.principal.playerId;
    const gameState = this.fanout.gameState(worldId);
    return {
      ok: true,
      worldId,
      playerId,
      bodyId: playerBodyId(playerId),
      tick: snapshot.tick,
      bodies: snapshot.bodies,
      ...(gameState ? { gameState } : {}),
    };
  }

  private async heldSnapshot(socket: GatewaySocket, worldId: string): Promise<WorldSnapshotDto> {
    this.fanout.holdForSnapshot(socket, worldId);
    try {
      return await this.snapshots.get(worldId);
    } catch (error) {
      this.fanout.release(socket, worldId, -1);
      throw error;
    }
  }

  private enterEngine(socket: GatewaySocket, worldId: string, trace: TraceContext): Promise<void> {
    return this.bodies.enter(worldId, socket.data.principal.playerId, socket.id, trace);
  }

  private exit(
    socket: GatewaySocket,
    worldId: string,
    sessionId: string | undefined,
    reason: LeaveReason,
    trace: TraceContext,
  ): void {
    const { playerId } = socket.data.principal;
    this.dropPresence(
      socket,
      worldId,
      reason === 'disconnected' ? this.config.get('sessions').disconnectGraceMs : 0,
      trace,
    );
    const lastSeq = socket.data.lastSeq;
    if (sessionId)
      this.audit.background('session', () => this.audit.closeSession(sessionId, lastSeq), {
        worldId,
        sessionId,
      });
    this.audit.background(
      'audit',
      () =>
        this.audit.record(playerId, AuditAction.Leave, trace, worldId, {
          reason,
          session: sessionId,
        }),
      { worldId },
    );
  }

  /** The socket no longer holds the player in the world; the body goes after `graceMs` if it was the last. */
  private dropPresence(
    socket: GatewaySocket,
    worldId: string,
    graceMs: number,
    trace: TraceContext,
  ): void {
    this.bodies.exit(worldId, socket.data.principal.playerId, socket.id, graceMs, trace);
  }

  private async openSession(playerId: string, worldId: string): Promise<string> {
    try {
      return await this.audit.openSession(playerId, worldId);
    } catch (cause) {
      throw new StorageUnavailableError('could not record the session; retry later', { cause });
    }
  }

  private undoJoin(
    socket: GatewaySocket,
    worldId: string,
    sessionId: string,
    trace: TraceContext,
  ): void {
    void socket.leave(worldRoom(worldId));
    this.fanout.forget(socket, worldId);
    this.dropPresence(socket, worldId, 0, trace);
    this.audit.background('session', () => this.audit.closeSession(sessionId, 0), {
      worldId,
      sessionId,
    });
  }
}
