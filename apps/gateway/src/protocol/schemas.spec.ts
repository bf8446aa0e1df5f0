import { ErrorCode } from '../errors/error-codes';
import { PayloadError } from '../errors/gateway-error';
import { PayloadSchemas, checkPayload } from './schemas';

const refuse = (payload: unknown) => {
  try {
    checkPayload(PayloadSchemas.command, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as PayloadError).code).toBe(ErrorCode.BadPayload);
    return (error as PayloadError).message;
  }
  throw new Error('accepted');
};

describe('payload schemas', () => {
  it('accepts each command kind', () => {
    expect(
      checkPayload(PayloadSchemas.command, { seq: 1, worldId: 'w', type: 'move', dx: 1.5 }),
    ).toMatchObject({ dx: 1.5 });
    expect(
      checkPayload(PayloadSchemas.command, { seq: 2, worldId: 'w', type: 'jump' }),
    ).toMatchObject({ type: 'jump' });
    expect(
      checkPayload(PayloadSchemas.command, {
        seq: 3,
        worldId: 'w',
        type: 'interact',
        targetId: 'bob',
      }),
    ).toMatchObject({ targetId: 'bob' });
  });

  it.each([
    ['a string', 'move', /payload must be a JSON object/],
    ['null', null, /payload must be a JSON object/],
    ['an array', [1], /payload must be a JSON object/],
    ['no seq', { worldId: 'w', type: 'jump' }, /seq/],
    ['a zero seq', { seq: 0, worldId: 'w', type: 'jump' }, /seq must be >= 1/],
    ['a fractional seq', { seq: 1.5, worldId: 'w', type: 'jump' }, /seq must be integer/],
    ['an unknown type', { seq: 1, worldId: 'w', type: 'fly' }, /type must be one of/],
    ['a string dx', { seq: 1, worldId: 'w', type: 'move', dx: '1' }, /dx must be number/],
    [
      'a null dx (NaN on the wire)',
      { seq: 1, worldId: 'w', type: 'move', dx: null },
      /dx must be number/,
    ],
    ['a huge dx', { seq: 1, worldId: 'w', type: 'move', dx: 1e9 }, /dx must be <= 1000/],
    [
      'an extra field',
      { seq: 1, worldId: 'w', type: 'jump', playerId: 'other' },
      /unknown field "playerId"/,
    ],
    ['a bad world id', { seq: 1, worldId: 'a b', type: 'jump' }, /worldId has an invalid format/],
    ['a missing target', { seq: 1, worldId: 'w', type: 'interact' }, /targetId/],
  ])('refuses %s', (_name, payload, message) => {
    expect(refuse(payload)).toMatch(message);
  });

  it('checks world requests and admin payloads', () => {
    expect(checkPayload(PayloadSchemas.worldRequest, { worldId: 'arena' })).toEqual({
      worldId: 'arena',
    });
    expect(() => checkPayload(PayloadSchemas.worldRequest, { worldId: '' })).toThrow(PayloadError);
    expect(() => checkPayload(PayloadSchemas.adminKick, { playerId: 'x'.repeat(63) })).toThrow(
      /playerId/,
    );
    expect(() => checkPayload(PayloadSchemas.adminEmpty, { a: 1 })).toThrow(PayloadError);
  });
});
