import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  CapacityError,
  EngineError,
  EngineErrorCode,
  EntityNotFoundError,
  InvalidCommandError,
  PreconditionError,
  WorldNotFoundError,
} from './engine-error';
import {
  ERROR_NAME_METADATA_KEY,
  fromServiceError,
  ownerAddressOf,
  toGrpcStatus,
} from './grpc-status';
import { WorldOwnedElsewhereError } from './engine-error';

const serviceError = (code: status, details: string): ServiceError =>
  Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });

describe('engine errors <-> gRPC status', () => {
  it.each([
    [new InvalidCommandError('bad'), status.INVALID_ARGUMENT],
    [new WorldNotFoundError('w1'), status.NOT_FOUND],
    [new EntityNotFoundError('player', 'p1'), status.NOT_FOUND],
    [new PreconditionError('cooldown'), status.FAILED_PRECONDITION],
    [new CapacityError('full'), status.RESOURCE_EXHAUSTED],
  ])('maps %s to its status with its message and name', (error, code) => {
    const mapped = toGrpcStatus(error);
    expect(mapped.code).toBe(code);
    expect(mapped.details).toBe(error.message);
    expect(mapped.metadata.get(ERROR_NAME_METADATA_KEY)).toEqual([error.name]);
  });

  it('answers INTERNAL without leaking an unexpected error', () => {
    expect(toGrpcStatus(new TypeError('secret path /x'))).toMatchObject({
      code: status.INTERNAL,
      details: 'internal engine error',
    });
  });

  it('names errors and keeps the cause', () => {
    const cause = new Error('root');
    const error = new WorldNotFoundError('w9', { cause });
    expect(error).toBeInstanceOf(EngineError);
    expect(error.name).toBe('WorldNotFoundError');
    expect(error.message).toBe('unknown world "w9"');
    expect(error.cause).toBe(cause);
  });

  it('rebuilds the error class on the client side', () => {
    const invalid = fromServiceError(serviceError(status.INVALID_ARGUMENT, 'nope'), '/x');
    expect(invalid).toBeInstanceOf(InvalidCommandError);
    expect(invalid.message).toBe('nope');
    expect(fromServiceError(serviceError(status.NOT_FOUND, 'gone'), '/x').code).toBe(
      EngineErrorCode.NotFound,
    );
    expect(fromServiceError(serviceError(status.UNAVAILABLE, 'down'), '/m').message).toBe(
      '/m: down',
    );
    expect(fromServiceError(serviceError(status.DATA_LOSS, '?'), '/x').code).toBe(
      EngineErrorCode.Internal,
    );
  });

  it("carries a world's owner address across the wire, and only a sane one", () => {
    const sent = toGrpcStatus(new WorldOwnedElsewhereError('owned by p-2', 'p-2.physics:50051'));
    expect(sent.code).toBe(status.FAILED_PRECONDITION);
    const received = fromServiceError(
      { ...serviceError(sent.code, sent.details), metadata: sent.metadata },
      '/Init',
    );
    expect(received).toBeInstanceOf(WorldOwnedElsewhereError);
    expect(ownerAddressOf(received)).toBe('p-2.physics:50051');
    const huge = new Metadata();
    huge.set(ERROR_NAME_METADATA_KEY, 'WorldOwnedElsewhereError');
    huge.set('anvil-owner-address', 'x'.repeat(300));
    const refused = fromServiceError(
      { ...serviceError(status.FAILED_PRECONDITION, 'owned'), metadata: huge },
      '/Init',
    );
    expect(ownerAddressOf(refused)).toBeUndefined();
    expect(ownerAddressOf(new Error('x'))).toBeUndefined();
  });
});
