import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { PayloadError } from '../errors/gateway-error';
import { ErrorCode } from '../errors/error-codes';
import { ID_PATTERN, MAX_PLAYER_ID_LENGTH } from '@anvil/engine-contract';
import type { CommandDto } from './dto/command.dto';
import type { WorldRequestDto } from './dto/world.dto';
import type { AdminKickDto, AdminPlayersDto } from './dto/admin.dto';

/** Largest |dx|, |dy| of a move, m/s (the engine caps speed further by its rules). */
export const MAX_MOVE = 1_000;

const id = { type: 'string', pattern: ID_PATTERN.source } as const;
const playerId = {
  type: 'string',
  pattern: ID_PATTERN.source,
  maxLength: MAX_PLAYER_ID_LENGTH,
} as const;
const trace = {
  type: 'string',
  pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
} as const;
const seq = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const axis = { type: 'number', minimum: -MAX_MOVE, maximum: MAX_MOVE } as const;
const base = { seq, worldId: id, trace } as const;

const worldRequest = {
  type: 'object',
  properties: { worldId: id, trace },
  required: ['worldId'],
  additionalProperties: false,
} as const;

const command = {
  type: 'object',
  discriminator: { propertyName: 'type' },
  required: ['seq', 'worldId', 'type'],
  oneOf: [
    {
      properties: { ...base, type: { const: 'move' }, dx: axis, dy: axis },
      required: ['dx'],
      additionalProperties: false,
    },
    { properties: { ...base, type: { const: 'jump' } }, additionalProperties: false },
    {
      properties: { ...base, type: { const: 'interact' }, targetId: playerId },
      required: ['targetId'],
      additionalProperties: false,
    },
  ],
} as const;

const adminPlayers = {
  type: 'object',
  properties: { worldId: id },
  required: ['worldId'],
  additionalProperties: false,
} as const;
const adminKick = {
  type: 'object',
  properties: { playerId, worldId: id, reason: { type: 'string', maxLength: 200 }, trace },
  required: ['playerId'],
  additionalProperties: false,
} as const;

// strictRequired is off: the oneOf branches, not the parent, declare the required properties.
const ajv = new Ajv({ discriminator: true, allErrors: false, strict: true, strictRequired: false });

/** Compiled payload validators, one per inbound event. */
export const PayloadSchemas = {
  worldRequest: ajv.compile<WorldRequestDto>(worldRequest),
  command: ajv.compile<CommandDto>(command),
  adminPlayers: ajv.compile<AdminPlayersDto>(adminPlayers),
  adminKick: ajv.compile<AdminKickDto>(adminKick),
  adminEmpty: ajv.compile<Record<string, never>>({
    type: 'object',
    additionalProperties: false,
    maxProperties: 0,
  }),
} as const;

/** The name of a compiled schema. */
export type SchemaName = keyof typeof PayloadSchemas;

/** Returns the payload typed when it matches, else throws PayloadError(BAD_PAYLOAD) naming the field. */
export function checkPayload<T>(validate: ValidateFunction<T>, payload: unknown): T {
  if (validate(payload)) return payload;
  throw new PayloadError(ErrorCode.BadPayload, describe(validate.errors?.[0], payload));
}

function describe(error: ErrorObject | undefined, payload: unknown): string {
  if (
    payload === undefined ||
    payload === null ||
    typeof payload !== 'object' ||
    Array.isArray(payload)
  ) {
    return 'payload must be a JSON object';
  }
  if (!error) return 'payload is invalid';
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'payload';
  if (error.keyword === 'additionalProperties')
    return `${where} has an unknown field "${String(error.params['additionalProperty'])}"`;
  if (error.keyword === 'discriminator') return `${where}.type must be one of move, jump, interact`;
  if (error.keyword === 'pattern') return `${where} has an invalid format`;
  return `${where} ${error.message ?? 'is invalid'}`;
}
