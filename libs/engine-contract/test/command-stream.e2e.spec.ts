import {
  Client,
  Server,
  ServerCredentials,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { CommandStreamClient } from '../src/client/command-stream-client';
import type { EngineCommand } from '../src/domain/commands';
import { ContractLimits } from '../src/domain/limits';
import {
  EngineBusyError,
  EngineError,
  EngineErrorCode,
  WorldNotFoundError,
} from '../src/errors/engine-error';
import { isUnknownWorldError } from '../src/errors/grpc-status';
import { ENGINE_SERVICE_NAME, enginePackageDefinition } from '../src/grpc/engine-service.options';
import { engineChannelCredentials } from '../src/grpc/credentials';
import {
  EngineServiceService,
  type Command,
  type StreamCommandsRequest,
  type StreamCommandsResponse,
} from '../src/generated/game/engine/v1/engine';
import {
  CommandStreams,
  type ApplyOne,
  type CommandStreamCall,
} from '../src/streams/command-streams';

const move = (playerId: string): Command => ({
  kind: { $case: 'move', value: { playerId, dx: 1, dy: 0 } },
});

/** The idempotency keys the test server was given, in order. */
const keys: string[] = [];

/** How the test server applies a command: tick 10 for known worlds, refusals by player id. */
const applyOne: ApplyOne = async (worldId, command: EngineCommand, _traceparent, key) => {
  keys.push(key);
  if (worldId === 'gone') throw new WorldNotFoundError(worldId);
  if (command.type === 'move' && command.playerId === 'busy')
    throw new EngineBusyError('the world is behind');
  if (command.type === 'move' && command.playerId === 'bug') throw new TypeError('a bug');
  if (command.type === 'move' && command.playerId === 'slow')
    await new Promise((resolve) => setTimeout(resolve, 200));
  return { applyTick: 10, entityId: `p:${command.type === 'move' ? command.playerId : ''}` };
};

// A bare grpc-js server on loopback serving StreamCommands through CommandStreams, and the
// CommandStreamClient: batching, answers by id, refusals with their error class, limits, a
// broken stream, and shutdown.
describe('StreamCommands: CommandStreamClient against CommandStreams', () => {
  let server: Server;
  let address: string;
  let streams: CommandStreams;
  const internal: unknown[] = [];
  const messages: StreamCommandsRequest[] = [];
  const calls: CommandStreamCall[] = [];

  beforeAll(async () => {
    streams = new CommandStreams((error) => internal.push(error), 50);
    server = new Server();
    const implementation: UntypedServiceImplementation = {
      StreamCommands: (call: CommandStreamCall) => {
        calls.push(call);
        call.on('data', (message: StreamCommandsRequest) => messages.push(message));
        void streams.serve(call, applyOne);
      },
    };
    server.addService(enginePackageDefinition()[ENGINE_SERVICE_NAME] as never, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());
  beforeEach(() => {
    messages.length = 0;
    internal.length = 0;
    keys.length = 0;
  });

  it('sends the commands of one turn as one message and answers each by its id', async () => {
    const client = new CommandStreamClient(address);
    const answers = await Promise.all(['a', 'b', 'c'].map((p) => client.submit('w1', move(p))));
    expect(answers).toEqual(
      ['a', 'b', 'c'].map((p) => ({ worldId: 'w1', applyTick: 10, entityId: `p:${p}` })),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0].commands.map((c) => c.worldId)).toEqual(['w1', 'w1', 'w1']);
    expect(client.unanswered).toBe(0);
    client.close();
  });

  it("carries a command's idempotency key to the engine ('' when it has none)", async () => {
    const client = new CommandStreamClient(address);
    await Promise.all([
      client.submit('w1', move('a'), '', 'gw-1:s:42'),
      client.submit('w1', move('b')),
    ]);
    expect(messages[0].commands.map((c) => c.idempotencyKey)).toEqual(['gw-1:s:42', '']);
    expect(keys).toEqual(['gw-1:s:42', '']);
    client.close();
  });

  it('refuses a malformed idempotency key: the client before sending, the server INVALID_ARGUMENT', async () => {
    const client = new CommandStreamClient(address);
    await expect(client.submit('w1', move('a'), '', 'no spaces')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^idempotency_key must be at most 128 characters/),
    });
    expect(messages).toHaveLength(0);
    expect(client.unanswered).toBe(0);
    client.close();

    // A sender that does not check: the engine answers the command, and the stream goes on.
    const raw = new Client(address, engineChannelCredentials());
    const definition = EngineServiceService.streamCommands;
    const stream = raw.makeBidiStreamRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
    );
    const answered = new Promise<StreamCommandsResponse>((resolve) => stream.once('data', resolve));
    stream.write({
      commands: [
        {
          id: 1,
          worldId: 'w1',
          command: move('a'),
          traceparent: '',
          idempotencyKey: 'k'.repeat(129),
        },
      ],
    });
    const { results } = await answered;
    expect(results[0]).toMatchObject({ id: 1, error: { code: 3, name: 'InvalidCommandError' } });
    expect(results[0].error?.message).toContain('idempotency_key must be at most 128 characters');
    expect(keys).toEqual([]);
    stream.end();
    raw.close();
  });

  it('rebuilds a refusal with its code and error class, so BUSY and unknown worlds are told apart', async () => {
    const client = new CommandStreamClient(address);
    const [busy, gone, ok] = await Promise.allSettled([
      client.submit('w1', move('busy')),
      client.submit('gone', move('a')),
      client.submit('w1', move('a')),
    ]);
    expect(busy).toMatchObject({
      status: 'rejected',
      reason: { code: EngineErrorCode.ResourceExhausted, name: 'EngineBusyError' },
    });
    expect(gone.status === 'rejected' && isUnknownWorldError(gone.reason)).toBe(true);
    expect(ok.status).toBe('fulfilled');
    client.close();
  });

  it('answers bad commands with INVALID_ARGUMENT and a bug with INTERNAL, and the stream goes on', async () => {
    const client = new CommandStreamClient(address);
    const results = await Promise.allSettled([
      client.submit('', move('a')),
      client.submit('w1', {}),
      client.submit('w1', move('bug')),
      client.submit('w'.repeat(1000), move('a')),
    ]);
    const codes = results.map((r) => r.status === 'rejected' && (r.reason as EngineError).code);
    expect(codes).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INTERNAL', 'INVALID_ARGUMENT']);
    const bug = results[2] as PromiseRejectedResult;
    expect((bug.reason as Error).message).not.toContain('a bug');
    expect(internal).toHaveLength(1);
    await expect(client.submit('w1', move('a'))).resolves.toMatchObject({ applyTick: 10 });
    client.close();
  });

  it('refuses, never queues, past the unanswered bound of the stream (server) and of the client', async () => {
    const client = new CommandStreamClient(address);
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, () => client.submit('w1', move('slow'))),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(10);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
    });

    const small = new CommandStreamClient(address, { maxUnanswered: 2 });
    const own = await Promise.allSettled([1, 2, 3].map(() => small.submit('w1', move('a'))));
    expect(own.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((own[2] as PromiseRejectedResult).reason).toBeInstanceOf(EngineBusyError);
    client.close();
    small.close();
  });

  it('splits a turn larger than a message allows, and the server refuses what is over the limit', async () => {
    const client = new CommandStreamClient(address, { maxUnanswered: 100_000 });
    const n = ContractLimits.maxCommandsPerBatch + 5;
    const submitted = Array.from({ length: n }, (_, i) => client.submit(`w${i % 7}`, move('a')));
    await Promise.allSettled(submitted);
    expect(messages.map((m) => m.commands.length)).toEqual([ContractLimits.maxCommandsPerBatch, 5]);
    client.close();
  });

  it('rejects the unanswered commands of a stream that breaks UNAVAILABLE, and opens a new one after', async () => {
    const client = new CommandStreamClient(address);
    const pending = client.submit('w1', move('slow'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    calls.at(-1)?.emit('error', { code: 14, details: 'cut' });
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(client.submit('w1', move('a'))).resolves.toMatchObject({ applyTick: 10 });
    client.close();
  });

  it('rejects a command past its deadline, and a closed client refuses at once', async () => {
    const client = new CommandStreamClient(address, { deadlineMs: 50 });
    await expect(client.submit('w1', move('slow'))).rejects.toMatchObject({
      code: 'DEADLINE_EXCEEDED',
    });
    client.close();
    await expect(client.submit('w1', move('a'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('on close, answers what the streams took, then ends them UNAVAILABLE', async () => {
    const client = new CommandStreamClient(address);
    const taken = client.submit('w1', move('slow'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = streams.close(1_000);
    await expect(taken).resolves.toMatchObject({ applyTick: 10 });
    await closing;
    expect(streams.size).toBe(0);
    // Once the client has seen the stream end, its next command opens a new one.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(client.submit('w1', move('a'))).resolves.toMatchObject({ applyTick: 10 });
    client.close();
  });
});
