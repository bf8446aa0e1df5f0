// Validators for the `data` of the event types in events.ts, so that a consumer can trust an
// event of a known type once parseCloudEvent accepted it. Unknown types are left to the consumer.
import { EVENT_TYPES } from './events';
import { fail, requireArray, requireInteger, requireObject, requireString } from './validate';

type DataValidator = (data: unknown) => void;

function physicsDelta(data: unknown): void {
  const object = requireObject(data, 'data');
  requireString(object, 'worldId', 'data.');
  requireInteger(object, 'tick', 'data.', 0);
  requireArray(object, 'bodies', 'data.').forEach((body, index) => {
    const prefix = `data.bodies[${index}].`;
    const fields = requireObject(body, prefix.slice(0, -1));
    requireString(fields, 'id', prefix);
    for (const key of ['x', 'y', 'angle', 'vx', 'vy']) requireInteger(fields, key, prefix);
  });
  if (object['removed'] !== undefined) {
    requireArray(object, 'removed', 'data.').forEach((id, index) => {
      if (typeof id !== 'string' || id.length === 0)
        fail(`data.removed[${index}]`, 'a non-empty string', id);
    });
  }
}

function player(data: unknown): ReturnType<typeof requireObject> {
  const object = requireObject(data, 'data');
  for (const key of ['worldId', 'playerId', 'bodyId']) requireString(object, key, 'data.');
  return object;
}

function playerLeft(data: unknown): void {
  const reason = player(data)['reason'];
  if (reason !== 'left' && reason !== 'disconnected' && reason !== 'kicked') {
    fail('data.reason', 'one of "left", "disconnected", "kicked"', reason);
  }
}

function commandRejected(data: unknown): void {
  const object = requireObject(data, 'data');
  for (const key of ['worldId', 'playerId', 'code', 'message']) requireString(object, key, 'data.');
  requireInteger(object, 'clientSeq', 'data.', 0);
}

function playerInteracted(data: unknown): void {
  const object = requireObject(data, 'data');
  for (const key of ['worldId', 'playerId', 'targetId']) requireString(object, key, 'data.');
}

const validators: Record<string, DataValidator> = {
  [EVENT_TYPES.physicsDelta]: physicsDelta,
  [EVENT_TYPES.playerJoined]: player,
  [EVENT_TYPES.playerLeft]: playerLeft,
  [EVENT_TYPES.commandRejected]: commandRejected,
  [EVENT_TYPES.playerInteracted]: playerInteracted,
};

/**
 * Checks `data` against the schema of `type` when `type` is one of `EVENT_TYPES`; throws
 * `InvalidEventError` naming the first bad field. Data of other types is not checked.
 */
export function validateEventData(type: string, data: unknown): void {
  validators[type]?.(data);
}
