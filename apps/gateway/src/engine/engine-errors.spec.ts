import { CapacityError, UnauthenticatedError, WorldNotFoundError } from '@anvil/engine-contract';
import { ErrorCode } from '../errors/error-codes';
import { fromEngineError } from './engine-errors';

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
});
