import {
  EVENT_TYPES,
  createCloudEvent,
  deterministicEventId,
  worldTopic,
  type EventBus,
} from '@anvil/bus';
import type { RulesEvent } from '../rules/world-rules';

/** CloudEvents `source` of the interaction engine. */
export const INTERACTION_SOURCE = '/anvil/interaction-engine';

/**
 * CloudEvents type of a player interaction. Not (yet) one of the bus library's EVENT_TYPES,
 * so its data is not schema-checked by consumers: `{ worldId, playerId, targetId }`.
 */
export const PLAYER_INTERACTED_TYPE = 'dev.anvil.interaction.player-interacted.v1';

/** Publishes the interaction engine's game events on the world's interaction topic. */
export class InteractionEvents {
  private readonly topic: string;

  constructor(
    private readonly bus: EventBus,
    topicPrefix?: string,
  ) {
    this.topic = worldTopic('interaction', topicPrefix);
  }

  /** Publishes one event keyed by the world id; `tick` is the tick the command applies at. */
  async publish(worldId: string, tick: number, event: RulesEvent): Promise<void> {
    const [type, data] =
      event.kind === 'joined'
        ? [EVENT_TYPES.playerJoined, { worldId, playerId: event.playerId, bodyId: event.bodyId }]
        : event.kind === 'left'
          ? [
              EVENT_TYPES.playerLeft,
              { worldId, playerId: event.playerId, bodyId: event.bodyId, reason: 'left' },
            ]
          : [
              PLAYER_INTERACTED_TYPE,
              { worldId, playerId: event.playerId, targetId: event.targetId },
            ];
    const cloudEvent = createCloudEvent({
      id: deterministicEventId(type, worldId, tick, event.playerId),
      type,
      source: INTERACTION_SOURCE,
      subject: worldId,
      tick,
      data,
    });
    await this.bus.publish(this.topic, worldId, [cloudEvent]);
  }
}
