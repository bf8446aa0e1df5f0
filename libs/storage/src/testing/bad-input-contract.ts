import { randomUUID } from 'node:crypto';

import type { WorldInput } from '../domain';
import { InvalidInputError, StorageErrorCode } from '../errors';
import type { Storage } from '../storage';
import { MAX_DETAILS_BYTES, MAX_TEXT } from '../validation';

const world: WorldInput = {
  id: 'w',
  namespace: 'n',
  name: 'w',
  game: 'g',
  region: 'r',
  shards: 1,
  phase: 'Pending',
};
const checkpoint = { worldId: 'w', shard: 0, tick: 1, stateHash: 'h', state: new Uint8Array([1]) };
const audit = { actor: 'a', action: 'x', traceId: 't' };
const binding = {
  capabilityId: 'physics.simulation',
  consumer: 'interaction-engine',
  provider: 'physics-rapier',
  address: 'physics-rapier.games.svc:50051',
  shard: null,
};

/** Each call and the field its {@link InvalidInputError} must name. */
const cases: Array<[string, (s: Storage) => Promise<unknown>, string]> = [
  ['an empty world id', (s) => s.worlds.upsert({ ...world, id: '' }), 'id'],
  ['a blank world id', (s) => s.worlds.get('   '), 'id'],
  ['a world id with a NUL', (s) => s.worlds.get('a\u0000b'), 'id'],
  ['a world id that is too long', (s) => s.worlds.get('x'.repeat(MAX_TEXT + 1)), 'id'],
  ['a world id that is not a string', (s) => s.worlds.get(42 as unknown as string), 'id'],
  ['zero shards', (s) => s.worlds.upsert({ ...world, shards: 0 }), 'shards'],
  ['a fractional shard count', (s) => s.worlds.upsert({ ...world, shards: 1.5 }), 'shards'],
  ['an empty phase', (s) => s.worlds.setPhase('w', ''), 'phase'],
  [
    'bindings that are not an array',
    (s) => s.worlds.upsert({ ...world, bindings: {} as unknown as [] }),
    'bindings',
  ],
  [
    'a binding address without a port',
    (s) => s.worlds.upsert({ ...world, bindings: [{ ...binding, address: 'physics' }] }),
    'bindings[0].address',
  ],
  [
    'a binding without a consumer',
    (s) => s.worlds.upsert({ ...world, bindings: [{ ...binding, consumer: '' }] }),
    'bindings[0].consumer',
  ],
  [
    'a negative binding shard',
    (s) => s.worlds.upsert({ ...world, bindings: [{ ...binding, shard: -1 }] }),
    'bindings[0].shard',
  ],
  ['a negative tick', (s) => s.checkpoints.save({ ...checkpoint, tick: -1 }), 'tick'],
  ['a fractional tick', (s) => s.checkpoints.save({ ...checkpoint, tick: 0.5 }), 'tick'],
  ['a tick beyond 2^53', (s) => s.checkpoints.save({ ...checkpoint, tick: 2 ** 60 }), 'tick'],
  ['a NaN tick', (s) => s.checkpoints.save({ ...checkpoint, tick: NaN }), 'tick'],
  ['a negative shard', (s) => s.checkpoints.save({ ...checkpoint, shard: -1 }), 'shard'],
  [
    'an invalid log append time',
    (s) => s.checkpoints.save({ ...checkpoint, logAppendedAt: new Date(NaN) }),
    'logAppendedAt',
  ],
  [
    'an empty checkpoint world id',
    (s) => s.checkpoints.save({ ...checkpoint, worldId: '' }),
    'worldId',
  ],
  ['an empty state hash', (s) => s.checkpoints.save({ ...checkpoint, stateHash: '' }), 'stateHash'],
  [
    'state that is not bytes',
    (s) => s.checkpoints.save({ ...checkpoint, state: 'abc' as unknown as Uint8Array }),
    'state',
  ],
  ['keeping zero checkpoints', (s) => s.checkpoints.prune('w', 0), 'keep'],
  ['a zero page size', (s) => s.checkpoints.list('w', 0, { limit: 0 }), 'limit'],
  ['a session id that is not a UUID', (s) => s.sessions.get('session-1'), 'id'],
  ['a negative sequence number', (s) => s.sessions.ack(randomUUID(), -5), 'seq'],
  [
    'an empty player id',
    (s) => s.sessions.open({ worldId: 'w', playerId: '', gateway: 'g' }),
    'playerId',
  ],
  ['an empty trace id', (s) => s.audit.record({ ...audit, traceId: '' }), 'traceId'],
  ['an empty actor', (s) => s.audit.record({ ...audit, actor: '' }), 'actor'],
  [
    'details that are an array',
    (s) => s.audit.record({ ...audit, details: [] as unknown as Record<string, unknown> }),
    'details',
  ],
  ['details that are not JSON', (s) => s.audit.record({ ...audit, details: { n: 1n } }), 'details'],
  [
    'details that are too large',
    (s) => s.audit.record({ ...audit, details: { s: 'x'.repeat(MAX_DETAILS_BYTES) } }),
    'details',
  ],
  ['a page size above the maximum', (s) => s.audit.listByTrace('t', { limit: 5000 }), 'limit'],
];

/** Every repository refuses malformed arguments with an InvalidInputError naming the field. */
export function describeBadInput(storage: () => Storage): void {
  describe('bad input', () => {
    it.each(cases)('refuses %s', async (_label, call, field) => {
      const error = await call(storage()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({
        name: 'InvalidInputError',
        code: StorageErrorCode.InvalidInput,
        field,
      });
      expect((error as Error).message.slice(0, field.length + 2)).toBe(`${field}: `);
    });
  });
}
