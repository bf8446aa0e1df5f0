import fc from 'fast-check';
import { ApplyCommandRequest, StreamedCommand } from '../generated/game/engine/v1/engine';
import { ContractLimits } from '../domain/limits';
import { InvalidCommandError } from '../errors/engine-error';
import { requireIdempotencyKey } from './validate';

const move = { kind: { $case: 'move' as const, value: { playerId: 'ann', dx: 1, dy: 0 } } };

describe('idempotency keys', () => {
  it('accepts none (empty or unset) and up to 128 characters of [A-Za-z0-9._:-]', () => {
    expect(requireIdempotencyKey('')).toBe('');
    expect(requireIdempotencyKey(undefined)).toBe('');
    expect(requireIdempotencyKey('gw-1:sess.42_7')).toBe('gw-1:sess.42_7');
    const longest = 'k'.repeat(ContractLimits.maxIdempotencyKeyLength);
    expect(requireIdempotencyKey(longest)).toBe(longest);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), (key) => {
        expect(requireIdempotencyKey(key)).toBe(key);
      }),
    );
  });

  it.each([
    ['too long', 'k'.repeat(129)],
    ['a space', 'gw 1'],
    ['a slash', 'gw/1'],
    ['non-ASCII', 'clé'],
    ['a newline', 'k\n'],
  ])('refuses %s with INVALID_ARGUMENT naming the field and the rule', (_what, key) => {
    let error: unknown;
    try {
      requireIdempotencyKey(key);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidCommandError);
    expect((error as InvalidCommandError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(
      /^idempotency_key must be at most 128 characters of \[A-Za-z0-9._:-\] \(empty for none\)/,
    );
  });

  it('names another field when asked', () => {
    expect(() => requireIdempotencyKey('a b', 'commands[3].idempotency_key')).toThrow(
      /^commands\[3\]\.idempotency_key must be/,
    );
  });

  it('travels on the wire in ApplyCommandRequest (field 3) and StreamedCommand (field 5)', () => {
    const key = 'gw-1:s:42';
    const request = ApplyCommandRequest.decode(
      ApplyCommandRequest.encode({ worldId: 'w', command: move, idempotencyKey: key }).finish(),
    );
    expect(request.idempotencyKey).toBe(key);
    const streamed = StreamedCommand.decode(
      StreamedCommand.encode({
        id: 7,
        worldId: 'w',
        command: move,
        traceparent: '',
        idempotencyKey: key,
      }).finish(),
    );
    expect(streamed).toMatchObject({ id: 7, idempotencyKey: key });
  });

  it('is empty (none) when a sender that predates it leaves it out', () => {
    const bytes = ApplyCommandRequest.encode({
      worldId: 'w',
      command: move,
      idempotencyKey: '',
    }).finish();
    expect(ApplyCommandRequest.decode(bytes).idempotencyKey).toBe('');
    // The field adds nothing to the bytes of a command without a key.
    const withKey = ApplyCommandRequest.encode({
      worldId: 'w',
      command: move,
      idempotencyKey: 'k',
    }).finish();
    expect(withKey.length).toBe(bytes.length + 3);
  });
});
