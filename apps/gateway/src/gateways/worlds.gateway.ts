import { Inject, UseFilters } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import { CommandsService } from '../commands/commands.service';
import { GatewayConfigService } from '../config/gateway-config.service';
import { traceFrom, traced } from '../engine/trace';
import { guardHandshake, guardHook } from '../sockets/socket-guards';
import { WsExceptionFilter } from '../sockets/ws-exception.filter';
import { FanoutService } from '../fanout/fanout.service';
import { MetricsService } from '../metrics/metrics.service';
import { installInboundLimiter } from '../limits/inbound-limiter';
import type { Now } from '../limits/token-bucket';
import type { CommandAckDto, CommandDto } from '../protocol/dto/command.dto';
import type { WorldRequestDto } from '../protocol/dto/world.dto';
import { ClientEvent, INBOUND_EVENTS } from '../protocol/events';
import { SchemaPipe } from '../protocol/schema.pipe';
import { PayloadSchemas } from '../protocol/schemas';
import type { GatewayNamespace, GatewaySocket } from '../protocol/socket-state';
import { CLOCK, LOGGER } from '../storage/storage.tokens';
import { ConnectionsService } from '../worlds/connections.service';
import { WorldsService } from '../worlds/worlds.service';

type Ackfn = ((response: unknown) => void) | undefined;

/**
 * The player-facing socket.io namespace `/`: handshake auth, per-connection limits, and the
 * `world:join`, `world:leave`, `world:snapshot` and `cmd` events (docs/client-protocol.md).
 */
@WebSocketGateway()
@UseFilters(WsExceptionFilter)
export class WorldsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly auth: AuthService,
    private readonly worlds: WorldsService,
    private readonly commands: CommandsService,
    private readonly fanout: FanoutService,
    private readonly connections: ConnectionsService,
    private readonly metrics: MetricsService,
    private readonly config: GatewayConfigService,
    @Inject(CLOCK) private readonly now: Now,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: Server): void {
    const nsp = server.of('/') as unknown as GatewayNamespace;
    nsp.use(guardHandshake(this.logger, this.auth.middleware(false)));
    this.fanout.attach(nsp);
    this.connections.attach(nsp);
  }

  handleConnection(socket: GatewaySocket): void {
    guardHook(this.logger, socket, 'connection', () => {
      this.metrics.connections.inc({ namespace: '/' });
      const countRefusal = (event: string, code: string) =>
        event === ClientEvent.Command
          ? this.metrics.commands.inc({ result: code })
          : this.metrics.requests.inc({ event, result: code });
      installInboundLimiter(
        socket,
        INBOUND_EVENTS,
        this.config.get('limits'),
        this.now,
        countRefusal,
        this.logger,
      );
      this.auth.watchExpiry(socket);
      if (socket.recovered) this.worlds.recovered(socket);
    });
  }

  handleDisconnect(socket: GatewaySocket): void {
    guardHook(this.logger, socket, 'disconnect', () => {
      this.metrics.connections.dec({ namespace: '/' });
      this.auth.forget(socket);
      if (socket.data?.principal) this.worlds.disconnected(socket);
    });
  }

  @SubscribeMessage(ClientEvent.Join)
  async join(
    @ConnectedSocket() socket: GatewaySocket,
    @MessageBody(new SchemaPipe(PayloadSchemas.worldRequest)) dto: WorldRequestDto,
    @Ack() ack: Ackfn,
  ): Promise<void> {
    const answer = await traced(
      'gateway join',
      dto.trace,
      { 'anvil.world.id': dto.worldId },
      (trace) => this.worlds.join(socket, dto.worldId, trace),
    );
    this.respond(socket, ack, ClientEvent.Join, answer);
    this.worlds.afterAck(socket, dto.worldId, answer.tick);
  }

  @SubscribeMessage(ClientEvent.Snapshot)
  async snapshot(
    @ConnectedSocket() socket: GatewaySocket,
    @MessageBody(new SchemaPipe(PayloadSchemas.worldRequest)) dto: WorldRequestDto,
    @Ack() ack: Ackfn,
  ): Promise<void> {
    const snapshot = await this.worlds.snapshot(socket, dto.worldId);
    this.respond(socket, ack, ClientEvent.Snapshot, { ok: true, ...snapshot });
    this.worlds.afterAck(socket, dto.worldId, snapshot.tick);
  }

  @SubscribeMessage(ClientEvent.Leave)
  leave(
    @ConnectedSocket() socket: GatewaySocket,
    @MessageBody(new SchemaPipe(PayloadSchemas.worldRequest)) dto: WorldRequestDto,
  ): { ok: true; worldId: string } {
    this.worlds.leave(socket, dto.worldId, 'left', traceFrom(dto.trace));
    this.metrics.requests.inc({ event: ClientEvent.Leave, result: 'ok' });
    return { ok: true, worldId: dto.worldId };
  }

  @SubscribeMessage(ClientEvent.Command)
  async command(
    @ConnectedSocket() socket: GatewaySocket,
    @MessageBody(new SchemaPipe(PayloadSchemas.command)) dto: CommandDto,
  ): Promise<CommandAckDto> {
    const answer = await this.commands.handle(socket, dto);
    this.metrics.commands.inc({ result: 'ok' });
    return answer;
  }

  /** Answers through the ack, or (client sent none) as an event of the same name. */
  private respond(socket: GatewaySocket, ack: Ackfn, event: string, answer: unknown): void {
    this.metrics.requests.inc({ event, result: 'ok' });
    if (typeof ack === 'function') ack(answer);
    else socket.emit(event === ClientEvent.Join ? ClientEvent.Snapshot : event, answer);
  }
}
