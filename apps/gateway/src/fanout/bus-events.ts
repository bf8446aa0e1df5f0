import {
  EVENT_TYPES,
  type BusMessage,
  type PhysicsDeltaData,
  type PlayerJoinedData,
  type PlayerLeftData,
  type PlayerInteractedData,
} from '@anvil/bus';
import type { DeltaDto, WorldEventDto } from '../protocol/dto/world.dto';

/** What a bus message means to clients: a delta, a world event, or nothing. */
export type ClientUpdate =
  | { kind: 'delta'; worldId: string; delta: DeltaDto }
  | { kind: 'event'; worldId: string; event: WorldEventDto }
  | { kind: 'none' };

/**
 * Turns a bus message into what clients receive. Empty deltas (a tick that changed nothing) and
 * event types clients do not see (command-rejected: the player already got the ack) are `none`.
 */
export function toClientUpdate(message: BusMessage): ClientUpdate {
  const { event } = message;
  const worldId = event.subject;
  switch (event.type) {
    case EVENT_TYPES.physicsDelta: {
      const data = event.data as PhysicsDeltaData;
      if (data.bodies.length === 0 && !data.removed?.length) return { kind: 'none' };
      const delta: DeltaDto = { worldId, tick: data.tick, bodies: data.bodies };
      if (data.fromTick !== undefined) delta.fromTick = data.fromTick;
      if (data.removed?.length) delta.removed = data.removed;
      return { kind: 'delta', worldId, delta };
    }
    case EVENT_TYPES.playerJoined: {
      const data = event.data as PlayerJoinedData;
      return {
        kind: 'event',
        worldId,
        event: {
          worldId,
          tick: event.tick,
          type: 'player-joined',
          playerId: data.playerId,
          bodyId: data.bodyId,
        },
      };
    }
    case EVENT_TYPES.playerLeft: {
      const data = event.data as PlayerLeftData;
      return {
        kind: 'event',
        worldId,
        event: {
          worldId,
          tick: event.tick,
          type: 'player-left',
          playerId: data.playerId,
          bodyId: data.bodyId,
          reason: data.reason,
        },
      };
    }
    case EVENT_TYPES.playerInteracted: {
      const data = event.data as PlayerInteractedData;
      return {
        kind: 'event',
        worldId,
        event: {
          worldId,
          tick: event.tick,
          type: 'player-interacted',
          playerId: data.playerId,
          targetId: data.targetId,
        },
      };
    }
    default:
      return { kind: 'none' };
  }
}
