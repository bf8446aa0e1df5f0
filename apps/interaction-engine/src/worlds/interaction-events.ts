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

/** Events handed to the bus and not yet acknowledged, at most; past it `publish` waits for room. */
export const MAX_UNACKNOWLEDGED_EVENTS = 10_000;

/**
 * Publishes the interaction engine's game events on the world's interaction topic. A command
 * does not wait for the brokers: `publish` hands the event to the bus (which keeps the order of
 * the calls) and returns; a failure goes to `onError`. Only while MAX_UNACKNOWLEDGED_EVENTS are
 * outstanding (the bus is down) does `publish` wait, so memory stays bounded and nothing is dropped.
 */
export class InteractionEvents {
  private readonly topic: string;
  private unacknowledged = 0;
  private readonly waitingForRoom: Array<() => void> = [];
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly onError: (error: unknown, worldId: string, type: string) => void,
    topicPrefix?: string,
  ) {
    this.topic = worldTopic('interaction', topicPrefix);
  }

  /** Hands one event, keyed by the world id, to the bus; `tick` is the tick the command applies at. */
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
              EVENT_TYPES.playerInteracted,
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
    while (this.unacknowledged >= MAX_UNACKNOWLEDGED_EVENTS)
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    if (this.unacknowledged++ === 0)
      this.idle = new Promise((resolve) => (this.markIdle = resolve));
    this.bus
      .publish(this.topic, worldId, [cloudEvent])
      .catch((error: unknown) => this.onError(error, worldId, type))
      .finally(() => {
        if (--this.unacknowledged === 0) this.markIdle();
        this.waitingForRoom.shift()?.();
      });
  }

  /** Events handed to the bus and not yet acknowledged. */
  get pending(): number {
    return this.unacknowledged;
  }

  /** Resolves when every event handed to the bus was acknowledged (or failed). */
  flush(): Promise<void> {
    return this.idle;
  }
}
