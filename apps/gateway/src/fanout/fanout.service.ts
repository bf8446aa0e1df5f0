import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Logger } from 'pino';
import {
  EpochFence,
  startConsumerSpan,
  worldTopic,
  type BusMessage,
  type EventBus,
  type Subscription,
} from '@anvil/bus';
import { subscribeWithRetry } from '@anvil/runtime';
import { GatewayConfigService } from '../config/gateway-config.service';
import { SnapshotService } from '../engine/snapshot.service';
import { MetricsService } from '../metrics/metrics.service';
import { ClientEvent } from '../protocol/events';
import type { DeltaDto, GameStateDto, WorldEventDto } from '../protocol/dto/world.dto';
import { worldRoom, type GatewayNamespace, type GatewaySocket } from '../protocol/socket-state';
import { EVENT_BUS, LOGGER } from '../storage/storage.tokens';
import { toClientUpdate } from './bus-events';
import type { CoalescedOutput, DeltaCoalescer } from './delta-coalescer';
import { GameStates } from './game-states';
import { SocketHolds } from './socket-holds';

/**
 * Fan-out: subscribes to the world topics in a consumer group of this instance alone (so every
 * instance sees every event) and emits deltas and world events to the rooms of its sockets.
 * One encoded broadcast per event reaches every socket that keeps up; sockets whose write
 * buffer backs up, or that wait for a snapshot, are held out and get one coalesced delta
 * (latest state per body) when they drain, or a fresh snapshot when that buffer overflowed.
 */
@Injectable()
export class FanoutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private nsp?: GatewayNamespace;
  private readonly holds: SocketHolds;
  /** Drops the deltas of a physics replica that lost its world (docs/events.md, "Epochs"). */
  private readonly fence = new EpochFence();
  /** Each world's latest game state, for the join answer. */
  private readonly gameStates = new GameStates();
  private readonly subscriptions: Subscription[] = [];
  private readonly slowPackets: number;
  private subscribed = false;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly snapshots: SnapshotService,
    private readonly metrics: MetricsService,
    private readonly config: GatewayConfigService,
  ) {
    this.holds = new SocketHolds(config.get('fanout').maxPendingBodies);
    this.slowPackets = config.get('fanout').slowClientPackets;
  }

  /** The namespace to emit on (set by the world gateway once socket.io is up). */
  attach(nsp: GatewayNamespace): void {
    this.nsp = nsp;
  }

  /** True once both world topics are subscribed (readiness). */
  get ready(): boolean {
    return this.subscribed;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { topicPrefix } = this.config.get('bus');
    const group = `anvil-gateway.${this.config.get('instanceId')}`;
    // Both at once: joining a Kafka consumer group takes seconds.
    const kinds = ['physics', 'interaction'] as const;
    const subscriptions = await Promise.all(
      kinds.map((kind) =>
        subscribeWithRetry(
          this.bus,
          { topic: worldTopic(kind, topicPrefix), group: `${group}.${kind}`, fromBeginning: false },
          (m) => this.onMessage(m),
          this.logger,
        ),
      ),
    );
    this.subscriptions.push(...subscriptions);
    this.subscribed = true;
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscribed = false;
    await Promise.allSettled(this.subscriptions.splice(0).map((s) => s.close()));
  }

  /** The world's latest game state this gateway saw (`world:state`), if any. */
  gameState(worldId: string): GameStateDto | undefined {
    return this.gameStates.get(worldId);
  }

  /** Leaves a joining socket out of broadcasts until `release` (its snapshot is on the way). */
  holdForSnapshot(socket: GatewaySocket, worldId: string): void {
    this.holds.hold(worldId, socket.id, 'snapshot');
  }

  /** Sends what a held socket missed after tick `minTick` and puts it back into broadcasts. */
  release(socket: GatewaySocket, worldId: string, minTick: number): void {
    const output = this.holds.release(worldId, socket.id, minTick);
    if (output) this.send(socket, worldId, output);
  }

  /** Forgets a socket's hold in one world (leave). */
  forget(socket: GatewaySocket, worldId: string): void {
    this.holds.release(worldId, socket.id);
  }

  /** Forgets a closed socket; its held worlds are remembered for a resync if it recovers. */
  dropSocket(socket: GatewaySocket): void {
    const lost = this.holds.dropSocket(socket);
    if (lost.length) socket.data.resync = lost;
  }

  /** Pushes a fresh snapshot to a socket (resync), holding its deltas meanwhile. */
  resync(socket: GatewaySocket, worldId: string): void {
    this.metrics.resyncs.inc();
    this.holds.hold(worldId, socket.id, 'snapshot');
    this.snapshots.get(worldId).then(
      (snapshot) => {
        if (!socket.connected || !socket.data.worlds[worldId])
          return void this.holds.release(worldId, socket.id);
        socket.emit(ClientEvent.Snapshot, snapshot);
        this.release(socket, worldId, snapshot.tick);
      },
      (error: unknown) => {
        this.logger.warn(
          { err: error, worldId, socket: socket.id },
          'resync snapshot failed; retrying',
        );
        setTimeout(
          () => socket.connected && socket.data.worlds[worldId] && this.resync(socket, worldId),
          1_000,
        ).unref();
      },
    );
  }

  private async onMessage(message: BusMessage): Promise<void> {
    const span = startConsumerSpan('fan-out', message);
    try {
      const update = toClientUpdate(message, this.fence);
      // Kept even with nobody in the room: the next player to join gets it in the answer.
      if (update.kind === 'state' && !this.gameStates.offer(update.state)) return;
      if (update.kind === 'none' || !this.nsp?.adapter.rooms.has(worldRoom(update.worldId))) return;
      span?.setAttribute(
        'anvil.fanout.sockets',
        this.nsp.adapter.rooms.get(worldRoom(update.worldId))!.size,
      );
      if (update.kind === 'state')
        // Whole, so nothing to coalesce: held and slow sockets get it too.
        this.nsp.to(worldRoom(update.worldId)).emit(ClientEvent.GameState, update.state);
      else if (update.kind === 'delta')
        this.deliver(update.worldId, ClientEvent.Delta, update.delta, (c) =>
          c.addDelta(update.delta),
        );
      else
        this.deliver(update.worldId, ClientEvent.WorldEvent, update.event, (c) =>
          c.addEvent(update.event),
        );
      const produced = Date.parse(message.event.time);
      if (Number.isFinite(produced))
        this.metrics.fanoutLag.observe(
          { type: update.kind },
          Math.max(0, Date.now() - produced) / 1000,
        );
    } catch (error) {
      // Never reject: a rejected handler would block the world's partition with redeliveries.
      this.metrics.badEvents.inc();
      this.logger.error(
        { err: error, topic: message.topic, offset: message.offset, id: message.event?.id },
        'could not fan out a bus event',
      );
      span?.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    } finally {
      span?.end();
    }
  }

  private deliver(
    worldId: string,
    event: string,
    payload: DeltaDto | WorldEventDto,
    coalesce: (c: DeltaCoalescer) => void,
  ): void {
    const nsp = this.nsp as GatewayNamespace;
    const room = worldRoom(worldId);
    for (const id of nsp.adapter.rooms.get(room) ?? []) {
      const held = this.holds.get(worldId, id);
      if (held) {
        coalesce(held.coalescer);
        if (event === ClientEvent.Delta) this.metrics.coalesced.inc();
        continue;
      }
      const socket = nsp.sockets.get(id);
      if (socket && this.isSlow(socket)) {
        coalesce(this.holds.hold(worldId, id, 'slow'));
        if (event === ClientEvent.Delta) this.metrics.coalesced.inc();
        socket.conn.once('drain', () => this.onDrain(socket, worldId));
      }
    }
    const except = this.holds.heldIds(worldId);
    (except.length ? nsp.to(room).except(except) : nsp.to(room)).emit(event, payload);
  }

  private onDrain(socket: GatewaySocket, worldId: string): void {
    const hold = this.holds.get(worldId, socket.id);
    if (!hold || hold.reason !== 'slow' || !socket.connected) return;
    const output = this.holds.release(worldId, socket.id);
    if (output) this.send(socket, worldId, output);
  }

  /** Sends a released socket its pending data (or a resync), and holds it again if still slow. */
  private send(socket: GatewaySocket, worldId: string, output: CoalescedOutput): void {
    if (!socket.connected) return;
    if (output.resync) return this.resync(socket, worldId);
    for (const event of output.events) socket.emit(ClientEvent.WorldEvent, event);
    if (output.delta) socket.emit(ClientEvent.Delta, output.delta);
  }

  private isSlow(socket: GatewaySocket): boolean {
    const buffered =
      (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
    return buffered >= this.slowPackets;
  }
}
