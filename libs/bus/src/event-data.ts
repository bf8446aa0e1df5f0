// Validators for the `data` of the event types in events.ts, so that a consumer can trust an
// event of a known type once parseCloudEvent accepted it. Unknown types are left to the consumer.
import { EVENT_TYPES, GAME_STATE_MAX_BYTES, GAME_STATE_MAX_DEPTH } from './events';
import {
  fail,
  isObject,
  requireArray,
  requireInteger,
  requireObject,
  requireString,
} from './validate';

type DataValidator = (data: unknown) => void;

function physicsDelta(data: unknown): void {
  const object = requireObject(data, 'data');
  requireString(object, 'worldId', 'data.');
  requireInteger(object, 'tick', 'data.', 0);
  const bodies = requireArray(object, 'bodies', 'data.');
  // A delta may carry thousands of bodies: check them in a plain loop and name the field only
  // when one is wrong.
  for (let index = 0; index < bodies.length; index++) {
    const body = bodies[index];
    if (!isBodyDelta(body)) bodyDeltaFault(body, `data.bodies[${index}]`);
  }
  if (object['removed'] !== undefined) {
    requireArray(object, 'removed', 'data.').forEach((id, index) => {
      if (typeof id !== 'string' || id.length === 0)
        fail(`data.removed[${index}]`, 'a non-empty string', id);
    });
  }
  if (object['epoch'] !== undefined) requireInteger(object, 'epoch', 'data.', 0);
}

const MOTION_KEYS = ['x', 'y', 'angle', 'vx', 'vy'] as const;

function isBodyDelta(body: unknown): boolean {
  // Each field named, not looped over MOTION_KEYS: V8 then reads them as plain property loads,
  // many times faster over thousands of bodies.
  return (
    isObject(body) &&
    typeof body['id'] === 'string' &&
    body['id'].length > 0 &&
    Number.isSafeInteger(body['x']) &&
    Number.isSafeInteger(body['y']) &&
    Number.isSafeInteger(body['angle']) &&
    Number.isSafeInteger(body['vx']) &&
    Number.isSafeInteger(body['vy'])
  );
}

/** Throws the error that names the bad field of a body delta `isBodyDelta` refused. */
function bodyDeltaFault(body: unknown, field: string): never {
  const fields = requireObject(body, field);
  requireString(fields, 'id', `${field}.`);
  for (const key of MOTION_KEYS) requireInteger(fields, key, `${field}.`);
  return fail(field, 'a body delta', body);
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

function commandsApplied(data: unknown): void {
  const object = requireObject(data, 'data');
  requireString(object, 'worldId', 'data.');
  requireInteger(object, 'tick', 'data.', 0);
  requireInteger(object, 'seq', 'data.', 1);
  requireInteger(object, 'epoch', 'data.', 0);
  // No intents: an epoch marker, written by a new owner before anything else (docs/events.md).
  const intents = requireArray(object, 'intents', 'data.');
  intents.forEach((intent, index) => {
    const field = `data.intents[${index}]`;
    requireString(requireObject(intent, field), 'type', `${field}.`);
  });
  // Optional: the intents' idempotency keys, one per intent ('' for none).
  if (object['keys'] !== undefined) {
    const keys = requireArray(object, 'keys', 'data.');
    if (keys.length !== intents.length)
      fail('data.keys', `one key per intent (${intents.length})`, `${keys.length} keys`);
    keys.forEach((key, index) => {
      if (typeof key !== 'string') fail(`data.keys[${index}]`, 'a string', key);
    });
  }
}

function gameState(data: unknown): void {
  const object = requireObject(data, 'data');
  requireString(object, 'worldId', 'data.');
  requireString(object, 'module', 'data.');
  const state = requireObject(object['state'], 'data.state');
  if (depthOf(state) > GAME_STATE_MAX_DEPTH)
    fail('data.state', `JSON nested at most ${GAME_STATE_MAX_DEPTH} deep`, '(deeper)');
  const bytes = Buffer.byteLength(JSON.stringify(state), 'utf8');
  if (bytes > GAME_STATE_MAX_BYTES)
    fail('data.state', `at most ${GAME_STATE_MAX_BYTES} bytes of JSON`, `(${bytes} bytes)`);
}

/** Nesting depth of a JSON value (a scalar is 0), stopping once past GAME_STATE_MAX_DEPTH. */
function depthOf(value: unknown, depth = 0): number {
  if (typeof value !== 'object' || value === null) return depth;
  if (depth >= GAME_STATE_MAX_DEPTH) return depth + 1;
  let deepest = depth + 1;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, depth + 1));
  return deepest;
}

const validators: Record<string, DataValidator> = {
  [EVENT_TYPES.physicsDelta]: physicsDelta,
  [EVENT_TYPES.playerJoined]: player,
  [EVENT_TYPES.playerLeft]: playerLeft,
  [EVENT_TYPES.commandRejected]: commandRejected,
  [EVENT_TYPES.playerInteracted]: playerInteracted,
  [EVENT_TYPES.commandsApplied]: commandsApplied,
  [EVENT_TYPES.gameState]: gameState,
};

/**
 * Checks `data` against the schema of `type` when `type` is one of `EVENT_TYPES`; throws
 * `InvalidEventError` naming the first bad field. Data of other types is not checked.
 */
export function validateEventData(type: string, data: unknown): void {
  validators[type]?.(data);
}
