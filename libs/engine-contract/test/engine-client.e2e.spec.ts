import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  EngineErrorCode,
  EngineUnavailableError,
  InvalidCommandError,
} from '../src/errors/engine-error';
import { toGrpcStatus } from '../src/errors/grpc-status';
import { engineChannelCredentials } from '../src/grpc/credentials';
import { ENGINE_SERVICE_NAME, enginePackageDefinition } from '../src/grpc/engine-service.options';
import { checkEngineHealth, createEngineHealth } from '../src/grpc/health-service.options';
import { EngineClient } from '../src/client/engine-client';

// A bare grpc-js server on loopback speaking the generated contract: checks the client's
// deadlines, retries (idempotent calls only), error mapping and the message size limit.
describe('EngineClient against a real gRPC server', () => {
  const calls: Record<string, number> = {};
  let server: Server;
  let address: string;
  const health = createEngineHealth();
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const keysSeen: string[] = [];

  const implementation: UntypedServiceImplementation = {
    Init: (call: { request: { worldId: string } }, cb: sendUnaryData<unknown>) => {
      count('init');
      if (call.request.worldId === 'bad')
        return cb(toGrpcStatus(new InvalidCommandError('world_id is bad')));
      cb(null, {
        worldId: call.request.worldId,
        tick: 7,
        stateHash: 'h',
        created: true,
        tickHz: 0,
      });
    },
    ApplyCommand: (call: { request: { idempotencyKey: string } }, cb: sendUnaryData<unknown>) => {
      count('applyCommand');
      keysSeen.push(call.request.idempotencyKey);
      cb({ code: status.UNAVAILABLE, details: 'busy' });
    },
    Tick: (_call: unknown, cb: sendUnaryData<unknown>) => {
      count('tick');
      setTimeout(() => cb(null, { worldId: 'w', tick: 1, stateHash: '', steps: 1 }), 300);
    },
    Snapshot: (_call: unknown, cb: sendUnaryData<unknown>) => {
      if (count('snapshot') < 3) return cb({ code: status.UNAVAILABLE, details: 'warming up' });
      cb(null, {
        worldId: 'w',
        tick: 2 ** 40,
        stateHash: 'abc',
        state: Buffer.from([1, 2, 3]),
        bodies: [],
      });
    },
    Restore: (_call: unknown, cb: sendUnaryData<unknown>) => {
      count('restore');
      cb(null, { worldId: 'w', tick: 0, stateHash: '' });
    },
  };

  beforeAll(async () => {
    server = new Server({ 'grpc.max_receive_message_length': 1024 });
    const definition = enginePackageDefinition()[ENGINE_SERVICE_NAME] as never;
    server.addService(definition, implementation);
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());
  beforeEach(() => {
    Object.keys(calls).forEach((k) => delete calls[k]);
    keysSeen.length = 0;
  });

  const client = () =>
    new EngineClient(address, {
      deadlineMs: 100,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });

  it('calls through the generated codecs (uint64 ticks as numbers, bytes as Buffers)', async () => {
    const c = client();
    await expect(c.init({ worldId: 'w1' })).resolves.toMatchObject({
      worldId: 'w1',
      tick: 7,
      created: true,
    });
    const snapshot = await c.snapshot({ worldId: 'w' });
    expect(snapshot.tick).toBe(2 ** 40);
    expect([...snapshot.state]).toEqual([1, 2, 3]);
    expect(calls.snapshot).toBe(3);
    c.close();
  });

  it('maps statuses to error classes and never retries a non-idempotent call', async () => {
    const c = client();
    await expect(c.init({ worldId: 'bad' })).rejects.toThrow(InvalidCommandError);
    expect(calls.init).toBe(1);
    await expect(c.applyCommand({ worldId: 'w' })).rejects.toThrow(EngineUnavailableError);
    expect(calls.applyCommand).toBe(1);
    c.close();
  });

  it('sends an idempotency key, and refuses a malformed one without calling', async () => {
    const c = client();
    await expect(c.applyCommand({ worldId: 'w', idempotencyKey: 'gw-1:s:1' })).rejects.toThrow(
      EngineUnavailableError,
    );
    expect(calls.applyCommand).toBe(1);
    expect(keysSeen).toEqual(['gw-1:s:1']);
    await expect(c.applyCommand({ worldId: 'w', idempotencyKey: 'not/valid' })).rejects.toThrow(
      InvalidCommandError,
    );
    expect(calls.applyCommand).toBe(1);
    c.close();
  });

  it('puts a deadline on every attempt', async () => {
    const c = client();
    await expect(c.tick({ worldId: 'w', targetTick: 1 })).rejects.toMatchObject({
      code: EngineErrorCode.DeadlineExceeded,
    });
    expect(calls.tick).toBe(3);
    c.close();
  });

  it('answers an oversized request with RESOURCE_EXHAUSTED', async () => {
    const c = client();
    await expect(
      c.restore({ worldId: 'w', state: Buffer.alloc(4096), stateHash: '' }),
    ).rejects.toMatchObject({
      code: EngineErrorCode.ResourceExhausted,
    });
    expect(calls.restore).toBeUndefined();
    c.close();
  });

  it('serves the standard health service', async () => {
    const creds = engineChannelCredentials();
    await expect(checkEngineHealth(address, creds)).resolves.toBe('NOT_SERVING');
    health.setServing(true);
    await expect(checkEngineHealth(address, creds, { service: ENGINE_SERVICE_NAME })).resolves.toBe(
      'SERVING',
    );
    await expect(checkEngineHealth(address, creds, { service: 'nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });
});
