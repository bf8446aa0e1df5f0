import { Inject, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import { AuthService } from '../auth/auth.service';
import { GatewayConfigService } from '../config/gateway-config.service';
import { traceFrom } from '../engine/trace';
import { guardHandshake, guardHook } from '../sockets/socket-guards';
import { WsExceptionFilter } from '../sockets/ws-exception.filter';
import { MetricsService } from '../metrics/metrics.service';
import { installInboundLimiter } from '../limits/inbound-limiter';
import type { Now } from '../limits/token-bucket';
import type { AdminKickDto, AdminPlayersDto } from '../protocol/dto/admin.dto';
import { ADMIN_INBOUND_EVENTS, ADMIN_NAMESPACE, AdminEvent } from '../protocol/events';
import { SchemaPipe } from '../protocol/schema.pipe';
import { PayloadSchemas } from '../protocol/schemas';
import type { GatewayNamespace, GatewaySocket } from '../protocol/socket-state';
import { CLOCK, LOGGER } from '../storage/storage.tokens';
import { AdminService } from './admin.service';

/** The `/admin` namespace: tokens with the `admin` role only (FORBIDDEN at connect otherwise). */
@WebSocketGateway({ namespace: ADMIN_NAMESPACE })
@UseFilters(WsExceptionFilter)
export class AdminGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly admin: AdminService,
    private readonly auth: AuthService,
    private readonly metrics: MetricsService,
    private readonly config: GatewayConfigService,
    @Inject(CLOCK) private readonly now: Now,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(nsp: GatewayNamespace): void {
    nsp.use(guardHandshake(this.logger, this.auth.middleware(true)));
  }

  handleConnection(socket: GatewaySocket): void {
    guardHook(this.logger, socket, 'connection', () => {
      this.metrics.connections.inc({ namespace: ADMIN_NAMESPACE });
      const countRefusal = (event: string, code: string) =>
        this.metrics.requests.inc({ event, result: code });
      installInboundLimiter(
        socket,
        ADMIN_INBOUND_EVENTS,
        this.config.get('limits'),
        this.now,
        countRefusal,
        this.logger,
      );
      this.auth.watchExpiry(socket);
    });
  }

  handleDisconnect(socket: GatewaySocket): void {
    guardHook(this.logger, socket, 'disconnect', () => {
      this.metrics.connections.dec({ namespace: ADMIN_NAMESPACE });
      this.auth.forget(socket);
    });
  }

  @SubscribeMessage(AdminEvent.Worlds)
  async worlds(
    @ConnectedSocket() socket: GatewaySocket,
    @MessageBody(new SchemaPipe(PayloadSchemas.adminEmpty, true)) _dto: unknown,
  ) {
    const worlds = await this.admin.listWorlds(socket.data.principal.playerId, traceFrom());
    return this.ok(AdminEvent.Worlds, { worlds });
  }

  @SubscribeMessage(AdminEvent.Players)
  async players(
    @ConnectedSocket() socket: GatewaySocket,
    @MessageBody(new SchemaPipe(PayloadSchemas.adminPlayers)) dto: AdminPlayersDto,
  ) {
    const players = await this.admin.listPlayers(
      socket.data.principal.playerId,
      dto.worldId,
      traceFrom(),
    );
    return this.ok(AdminEvent.Players, { worldId: dto.worldId, players });
  }

  @SubscribeMessage(AdminEvent.Kick)
  async kick(
    @ConnectedSocket() socket: GatewaySocket,
    @MessageBody(new SchemaPipe(PayloadSchemas.adminKick)) dto: AdminKickDto,
  ) {
    const kicked = await this.admin.kick(socket.data.principal.playerId, dto, traceFrom(dto.trace));
    return this.ok(AdminEvent.Kick, { playerId: dto.playerId, kickedHere: kicked });
  }

  private ok<T extends object>(event: string, body: T): T & { ok: true } {
    this.metrics.requests.inc({ event, result: 'ok' });
    return { ok: true, ...body };
  }
}
