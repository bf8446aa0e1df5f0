import {
  EVENT_TYPES,
  createCloudEvent,
  deterministicEventId,
  worldTopic,
  type CloudEvent,
  type EventBus,
} from '@anvil/bus';
import type { GameEvent } from '../rules/game-rules';
import { sha256 } from '../rules/state-codec';

/** Events handed to the bus and not yet acknowledged, at most; past it `publish` waits for room. */
export const MAX_UNACKNOWLEDGED_EVENTS = 10_000;

/** Where a game module's events go and who they say published them. */
export interface InteractionEventsOptions {
  /** CloudEvents `source` of the module, e.g. `/anvil/interaction-engine`. */
  source: string;
  topicPrefix?: string;
}

/**
 * Publishes a game module's events on the world's interaction topic, keyed by the world id. A
 * command does not wait for the brokers: `publish` hands the event to the bus (which keeps the
 * order of the calls) and returns; a failure goes to `onError`. Only while
 * MAX_UNACKNOWLEDGED_EVENTS are outstanding (the bus is down) does `publish` wait, so memory
 * stays bounded and nothing is dropped.
 */
export class InteractionEvents {
  private readonly topic: string;
  private readonly source: string;
  private unacknowledged = 0;
  private readonly waitingForRoom: Array<() => void> = [];
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly onError: (error: unknown, worldId: string, type: string) => void,
    options: InteractionEventsOptions,
  ) {
    this.topic = worldTopic('interaction', options.topicPrefix);
    this.source = options.source;
  }

  /** Hands one event to the bus; `tick` is the tick the command applies at. */
  async publish(worldId: string, tick: number, event: GameEvent): Promise<void> {
    const [type, data, discriminator] = describe(worldId, event);
    await this.send(worldId, type, () => this.cloudEvent(worldId, tick, type, data, discriminator));
  }

  /**
   * Hands the world's game state (`dev.anvil.interaction.game-state.v1`) to the bus. A state the
   * event's bounds refuse (too large or too deep) goes to `onError`, like a failed publish.
   */
  async publishState(
    worldId: string,
    tick: number,
    module: string,
    state: Record<string, unknown>,
  ): Promise<void> {
    const type = EVENT_TYPES.gameState;
    // Two batches may publish at one tick: the state's hash tells their events apart, and the
    // same state at the same tick keeps one id.
    const discriminator = sha256(Buffer.from(JSON.stringify(state))).slice(0, 16);
    await this.send(worldId, type, () =>
      this.cloudEvent(worldId, tick, type, { worldId, module, state }, discriminator),
    );
  }

  /** Events handed to the bus and not yet acknowledged. */
  get pending(): number {
    return this.unacknowledged;
  }

  /** Resolves when every event handed to the bus was acknowledged (or failed). */
  flush(): Promise<void> {
    return this.idle;
  }

  private cloudEvent(
    worldId: string,
    tick: number,
    type: string,
    data: Record<string, unknown>,
    discriminator: string,
  ): CloudEvent {
    return createCloudEvent({
      id: deterministicEventId(type, worldId, tick, discriminator),
      type,
      source: this.source,
      subject: worldId,
      tick,
      data,
    });
  }

  private async send(worldId: string, type: string, build: () => CloudEvent): Promise<void> {
    let event: CloudEvent;
    try {
      event = build();
    } catch (error) {
      this.onError(error, worldId, type);
      return;
    }
    while (this.unacknowledged >= MAX_UNACKNOWLEDGED_EVENTS)
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    if (this.unacknowledged++ === 0)
      this.idle = new Promise((resolve) => (this.markIdle = resolve));
    this.bus
      .publish(this.topic, worldId, [event])
      .catch((error: unknown) => this.onError(error, worldId, type))
      .finally(() => {
        if (--this.unacknowledged === 0) this.markIdle();
        this.waitingForRoom.shift()?.();
      });
  }
}

/** An event's CloudEvents type, data and id discriminator. */
function describe(
  worldId: string,
  event: GameEvent,
): [type: string, data: Record<string, unknown>, discriminator: string] {
  switch (event.kind) {
    case 'joined':
      return [
        EVENT_TYPES.playerJoined,
        { worldId, playerId: event.playerId, bodyId: event.bodyId },
        event.playerId,
      ];
    case 'left':
      return [
        EVENT_TYPES.playerLeft,
        { worldId, playerId: event.playerId, bodyId: event.bodyId, reason: 'left' },
        event.playerId,
      ];
    case 'interacted':
      return [
        EVENT_TYPES.playerInteracted,
        { worldId, playerId: event.playerId, targetId: event.targetId },
        event.playerId,
      ];
    case 'game':
      return [event.type, { worldId, ...event.data }, event.discriminator];
  }
}
