import {
  EVENT_TYPES,
  type BusMessage,
  type EpochFence,
  type GameStateData,
  type PhysicsDeltaData,
  type PlayerJoinedData,
  type PlayerLeftData,
  type PlayerInteractedData,
} from '@anvil/bus';
import type { DeltaDto, GameStateDto, WorldEventDto } from '../protocol/dto/world.dto';

/** What a bus message means to clients: a delta, a world event, or nothing. */
export type ClientUpdate =
  | { kind: 'delta'; worldId: string; delta: DeltaDto }
  | { kind: 'event'; worldId: string; event: WorldEventDto }
  | { kind: 'state'; worldId: string; state: GameStateDto }
  | { kind: 'none' };

/**
 * Turns a bus message into what clients receive. Empty deltas (a tick that changed nothing) and
 * event types clients do not see (command-rejected: the player already got the ack) are `none`,
 * and so is a delta of a physics replica that lost the world (`fence`: an older epoch than one
 * already seen for it).
 */
export function toClientUpdate(message: BusMessage, fence?: EpochFence): ClientUpdate {
  const { event } = message;
  const worldId = event.subject;
  switch (event.type) {
    case EVENT_TYPES.physicsDelta: {
      const data = event.data as PhysicsDeltaData;
      if (fence && !fence.admit(worldId, data.epoch)) return { kind: 'none' };
      if (data.bodies.length === 0 && !data.removed?.length) return { kind: 'none' };
      const delta: DeltaDto = { worldId, tick: data.tick, bodies: data.bodies };
      if (data.fromTick !== undefined) delta.fromTick = data.fromTick;
      if (data.removed?.length) delta.removed = data.removed;
      return { kind: 'delta', worldId, delta };
    }
    case EVENT_TYPES.playerJoined: {
      const { playerId, bodyId } = event.data as PlayerJoinedData;
      return worldEvent(worldId, event.tick, { type: 'player-joined', playerId, bodyId });
    }
    case EVENT_TYPES.playerLeft: {
      const { playerId, bodyId, reason } = event.data as PlayerLeftData;
      return worldEvent(worldId, event.tick, { type: 'player-left', playerId, bodyId, reason });
    }
    case EVENT_TYPES.playerInteracted: {
      const { playerId, targetId } = event.data as PlayerInteractedData;
      return worldEvent(worldId, event.tick, { type: 'player-interacted', playerId, targetId });
    }
    case EVENT_TYPES.gameState: {
      const { module, state } = event.data as GameStateData;
      return { kind: 'state', worldId, state: { worldId, module, tick: event.tick, state } };
    }
    default:
      return { kind: 'none' };
  }
}

function worldEvent(
  worldId: string,
  tick: number,
  fields: Omit<WorldEventDto, 'worldId' | 'tick'>,
): ClientUpdate {
  return { kind: 'event', worldId, event: { worldId, tick, ...fields } };
}
