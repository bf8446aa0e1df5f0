// Test support: world events as the engines publish them (same builders, same topics).
import { playerBodyId } from '@anvil/engine-contract';
import {
  EVENT_TYPES,
  createCloudEvent,
  deterministicEventId,
  worldTopic,
  type BodyDelta,
  type EventBus,
} from '@anvil/bus';

/** A body at `x` (other fields fixed). */
export const body = (id: string, x: number): BodyDelta => ({
  id,
  x,
  y: 1_000,
  angle: 0,
  vx: 0,
  vy: 0,
});

/** Publishes one physics delta for a world and tick, as the physics engine does. */
export function publishDelta(
  bus: EventBus,
  worldId: string,
  tick: number,
  bodies: BodyDelta[],
  removed?: string[],
  epoch?: number,
): Promise<void> {
  const data = {
    worldId,
    tick,
    bodies,
    ...(removed ? { removed } : {}),
    ...(epoch !== undefined ? { epoch } : {}),
  };
  const event = createCloudEvent({
    id: deterministicEventId(EVENT_TYPES.physicsDelta, worldId, tick, `e${epoch ?? 0}`),
    type: EVENT_TYPES.physicsDelta,
    source: '/anvil/physics-engine',
    subject: worldId,
    tick,
    data,
  });
  return bus.publish(worldTopic('physics'), worldId, [event]);
}

/** Publishes a player-joined event, as the interaction engine does. */
export function publishJoined(
  bus: EventBus,
  worldId: string,
  tick: number,
  playerId: string,
): Promise<void> {
  const event = createCloudEvent({
    type: EVENT_TYPES.playerJoined,
    source: '/anvil/interaction-engine',
    subject: worldId,
    tick,
    data: { worldId, playerId, bodyId: playerBodyId(playerId) },
  });
  return bus.publish(worldTopic('interaction'), worldId, [event]);
}

/** Publishes a game-state event, as a game module does when its state changes. */
export function publishGameState(
  bus: EventBus,
  worldId: string,
  tick: number,
  state: Record<string, unknown>,
): Promise<void> {
  const event = createCloudEvent({
    type: EVENT_TYPES.gameState,
    source: '/anvil/tag-game',
    subject: worldId,
    tick,
    data: { worldId, module: 'tag-game', state },
  });
  return bus.publish(worldTopic('interaction'), worldId, [event]);
}
