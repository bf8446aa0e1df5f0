import {
  CapacityError,
  EngineBusyError,
  PlayerRateLimitedError,
  UnauthenticatedError,
  WorldNotFoundError,
  fromCommandError,
  toCommandError,
} from '@anvil/engine-contract';
import { ErrorCode } from '../errors/error-codes';
import { BUSY_RETRY_AFTER_MS, PLAYER_RATE_RETRY_AFTER_MS, fromEngineError } from './engine-errors';

describe('fromEngineError', () => {
  it('answers players INTERNAL, without the engine text, when an engine refuses the gateway token', () => {
    const mapped = fromEngineError(new UnauthenticatedError('engine token missing or wrong'), 'w1');
    expect(mapped.code).toBe(ErrorCode.Internal);
    expect(mapped.message).not.toMatch(/token/);
  });

  it('passes an engine quota through as ENGINE_REJECTED with its code', () => {
    const mapped = fromEngineError(
      new CapacityError('caller "gateway" is over its quota of 5000 calls per second'),
      'w1',
    );
    expect(mapped.code).toBe(ErrorCode.EngineRejected);
    expect(mapped.message).toMatch(/quota/);
  });

  it('says WORLD_NOT_READY for a world the engine does not run (e.g. closed)', () => {
    expect(fromEngineError(new WorldNotFoundError('w1'), 'w1').code).toBe(ErrorCode.WorldNotReady);
  });

  it('says BUSY, with a retry after about a tick, when the engines are behind (also after the stream carried it)', () => {
    const busy = new EngineBusyError('world "w1" has 1024 commands waiting');
    for (const error of [busy, fromCommandError(toCommandError(busy), 'StreamCommands')]) {
      expect(fromEngineError(error, 'w1').toPayload()).toMatchObject({
        code: ErrorCode.Busy,
        retryAfterMs: BUSY_RETRY_AFTER_MS,
      });
    }
  });

  it("says RATE_LIMITED for the game rules' per-player rate", () => {
    const mapped = fromEngineError(new PlayerRateLimitedError('more than 60 commands'), 'w1');
    expect(mapped.toPayload()).toMatchObject({
      code: ErrorCode.RateLimited,
      retryAfterMs: PLAYER_RATE_RETRY_AFTER_MS,
    });
  });
});
