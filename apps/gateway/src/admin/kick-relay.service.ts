import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import {
  assertTopicName,
  createCloudEvent,
  type BusMessage,
  type EventBus,
  type Subscription,
} from '@anvil/bus';
import { subscribeWithRetry } from '@anvil/runtime';
import { GatewayConfigService } from '../config/gateway-config.service';
import { EVENT_BUS, LOGGER } from '../storage/storage.tokens';

/** CloudEvents type of a kick relayed between gateway instances. */
export const KICK_EVENT_TYPE = 'dev.anvil.gateway.kick.v1';

/** `data` of a relayed kick. */
export interface KickData {
  playerId: string;
  worldId?: string;
  reason: string;
  actor: string;
  traceId: string;
  /** The instance that handled the admin request (it has kicked its own sockets already). */
  origin: string;
}

/**
 * Relays kicks to every gateway instance through the bus (topic `anvil.gateway.control`, each
 * instance in its own consumer group), since a player may be connected to any of them.
 */
@Injectable()
export class KickRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly topic: string;
  private readonly instanceId: string;
  private subscription?: Subscription;
  private handler: (kick: KickData) => void = () => undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    config: GatewayConfigService,
  ) {
    const prefix = config.get('bus').topicPrefix;
    this.topic = prefix ? `${prefix}.anvil.gateway.control` : 'anvil.gateway.control';
    assertTopicName(this.topic);
    this.instanceId = config.get('instanceId');
  }

  /** Sets what to do with a kick from another instance. */
  onKick(handler: (kick: KickData) => void): void {
    this.handler = handler;
  }

  /** Publishes a kick this instance already applied locally. */
  async publish(kick: Omit<KickData, 'origin'>): Promise<void> {
    const data: KickData = { ...kick, origin: this.instanceId };
    const event = createCloudEvent({
      type: KICK_EVENT_TYPE,
      source: `/anvil/gateway/${this.instanceId}`,
      subject: kick.worldId ?? '*',
      tick: 0,
      data,
    });
    await this.bus.publish(this.topic, kick.playerId, [event]);
  }

  async onApplicationBootstrap(): Promise<void> {
    const group = `anvil-gateway.${this.instanceId}.control`;
    this.subscription = await subscribeWithRetry(
      this.bus,
      { topic: this.topic, group, fromBeginning: false },
      async (m) => this.receive(m),
      this.logger,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  private receive(message: BusMessage): void {
    try {
      if (message.event.type !== KICK_EVENT_TYPE) return;
      const kick = message.event.data as KickData;
      if (kick.origin === this.instanceId || typeof kick.playerId !== 'string') return;
      this.handler(kick);
    } catch (error) {
      this.logger.error({ err: error, id: message.event?.id }, 'could not apply a relayed kick');
    }
  }
}
