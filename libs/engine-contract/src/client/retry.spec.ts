import { EngineUnavailableError, InvalidCommandError } from '../errors/engine-error';
import { RETRIED_METHODS } from './engine-client';
import { isTransient, withRetry } from './retry';

const policy = { attempts: 3, baseDelayMs: 10, maxDelayMs: 15 };

describe('withRetry', () => {
  it('retries transient errors with capped exponential backoff', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new EngineUnavailableError('down');
        return 'ok';
      },
      policy,
      async (ms) => void sleeps.push(ms),
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([10, 15]);
  });

  it('gives up after the last attempt and never retries a non-transient error', async () => {
    let calls = 0;
    const down = () =>
      withRetry(
        async () => {
          calls++;
          throw new EngineUnavailableError('down');
        },
        policy,
        async () => {},
      );
    await expect(down()).rejects.toThrow(EngineUnavailableError);
    expect(calls).toBe(3);
    calls = 0;
    const bad = () =>
      withRetry(
        async () => {
          calls++;
          throw new InvalidCommandError('bad');
        },
        policy,
        async () => {},
      );
    await expect(bad()).rejects.toThrow(InvalidCommandError);
    expect(calls).toBe(1);
  });

  it('classifies errors and retries only idempotent methods', () => {
    expect(isTransient(new EngineUnavailableError('x'))).toBe(true);
    expect(isTransient(new Error('x'))).toBe(false);
    expect(RETRIED_METHODS).toEqual({
      init: true,
      applyCommand: false,
      tick: true,
      snapshot: true,
      restore: false,
      closeWorld: true,
    });
  });
});
