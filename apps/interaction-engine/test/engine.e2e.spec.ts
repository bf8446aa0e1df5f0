// The interaction engine end to end: its whole Nest app serving gRPC in this process, in front of
// a real physics engine process (@anvil/game-host/testing), driven through the contract's typed
// client: Init, Join, commands, Leave, CloseWorld, and the coded errors of bad input.
import { EVENT_TYPES, InMemoryBus, worldTopic, type BusMessage } from '@anvil/bus';
import {
  CommandStreamClient,
  EngineClient,
  EngineErrorCode,
  MAX_PLAYER_ID_LENGTH,
  commandToWire,
  isUnknownWorldError,
  playerBodyId,
  type Command,
  type PlayerCommand,
} from '@anvil/engine-contract';
import { startPhysics, type PhysicsProcess } from '@anvil/game-host/testing';
import { bootstrap, type RunningInteractionEngine } from '../src/bootstrap';
import { loadInteractionConfig } from '../src/config/interaction-config';

const ENGINE_TOKEN = 'interaction-e2e-engine-token';
const access = { token: ENGINE_TOKEN, caller: 'e2e' };

// The physics engine process may take a while to serve on a busy machine.
jest.setTimeout(120_000);

describe('interaction engine over gRPC, in front of a physics engine process', () => {
  const bus = new InMemoryBus();
  const time = { now: 100_000 };
  const events: BusMessage[] = [];
  let physics: PhysicsProcess;
  let engine: RunningInteractionEngine;
  let client: EngineClient;
  let physicsClient: EngineClient;

  const send = (worldId: string, command: PlayerCommand) =>
    client.applyCommand({ worldId, command: commandToWire(command) });
  /** Sends a command and ticks physics (manual ticks) to the tick it applies at. */
  const applied = async (worldId: string, command: PlayerCommand) => {
    const response = await send(worldId, command);
    await client.tick({ worldId, targetTick: response.applyTick });
    return response;
  };
  const bodiesIn = async (worldId: string) =>
    (await physicsClient.snapshot({ worldId })).bodies.map((b) => b.bodyId).sort();
  /** The error a call failed with (undefined when it succeeded). */
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (error: unknown) => error as Error & { code: string },
    );

  beforeAll(async () => {
    physics = await startPhysics(ENGINE_TOKEN);
    engine = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: physics.address,
      }),
      bus,
      clock: { now: () => time.now },
      logger: false,
    });
    client = new EngineClient(engine.address, { deadlineMs: 5_000, access });
    physicsClient = new EngineClient(physics.address, { deadlineMs: 5_000, access });
    await bus.subscribe(
      { topic: worldTopic('interaction'), group: 'e2e', fromBeginning: true },
      async (message) => void events.push(message),
    );
  });

  afterAll(async () => {
    client?.close();
    physicsClient?.close();
    await engine?.close();
    await physics?.stop();
    await bus.close();
  });

  it('Init starts the world on the physics engine, and again changes nothing', async () => {
    await expect(client.init({ worldId: 'arena' })).resolves.toMatchObject({
      worldId: 'arena',
      created: true,
    });
    await expect(client.init({ worldId: 'arena' })).resolves.toMatchObject({ created: false });
    await expect(physicsClient.snapshot({ worldId: 'arena' })).resolves.toMatchObject({
      worldId: 'arena',
      bodies: [],
    });
  });

  it('Join puts the player’s body into physics and publishes player-joined', async () => {
    const joined = await applied('arena', { type: 'join', playerId: 'alice' });
    expect(joined).toMatchObject({ worldId: 'arena', entityId: playerBodyId('alice') });
    expect(joined.applyTick).toBeGreaterThan(0);
    expect(await bodiesIn('arena')).toEqual([playerBodyId('alice')]);
    await waitFor(() => events.some((m) => m.event.type === EVENT_TYPES.playerJoined));
    expect(events.find((m) => m.event.type === EVENT_TYPES.playerJoined)?.event).toMatchObject({
      subject: 'arena',
      data: { worldId: 'arena', playerId: 'alice', bodyId: playerBodyId('alice') },
    });
  });

  it('moves and jumps reach physics; ticks advance the world', async () => {
    await expect(
      send('arena', { type: 'move', playerId: 'alice', dx: 2, dy: 0 }),
    ).resolves.toMatchObject({
      entityId: playerBodyId('alice'),
    });
    await expect(send('arena', { type: 'jump', playerId: 'alice' })).resolves.toMatchObject({
      entityId: playerBodyId('alice'),
    });
    await expect(client.tick({ worldId: 'arena', targetTick: 30 })).resolves.toMatchObject({
      tick: 30,
    });
    const snapshot = await client.snapshot({ worldId: 'arena' });
    expect(snapshot.tick).toBe(30);
    expect(snapshot.bodies.map((b) => b.bodyId)).toEqual([playerBodyId('alice')]);
  });

  it('Leave removes the body and publishes player-left', async () => {
    await applied('arena', { type: 'join', playerId: 'bob' });
    expect(await bodiesIn('arena')).toEqual([playerBodyId('alice'), playerBodyId('bob')]);
    await applied('arena', { type: 'leave', playerId: 'bob' });
    expect(await bodiesIn('arena')).toEqual([playerBodyId('alice')]);
    await waitFor(() => events.some((m) => m.event.type === EVENT_TYPES.playerLeft));
    expect(events.find((m) => m.event.type === EVENT_TYPES.playerLeft)?.event.data).toMatchObject({
      playerId: 'bob',
      bodyId: playerBodyId('bob'),
    });
  });

  describe('bad input gets a coded error and changes nothing', () => {
    const wire = {
      join: (playerId: string): Command => ({ kind: { $case: 'join', value: { playerId } } }),
      leave: (playerId: string): Command => ({ kind: { $case: 'leave', value: { playerId } } }),
    };
    const cases: Array<[string, string, Command | undefined, EngineErrorCode, RegExp]> = [
      [
        'a world never started',
        'nowhere',
        wire.join('carol'),
        EngineErrorCode.NotFound,
        /unknown world "nowhere"/,
      ],
      ['an empty command', 'arena', {}, EngineErrorCode.InvalidArgument, /command is empty/],
      [
        'a second join',
        'arena',
        wire.join('alice'),
        EngineErrorCode.AlreadyExists,
        /already joined/,
      ],
      [
        'a leave of a stranger',
        'arena',
        wire.leave('mallory'),
        EngineErrorCode.NotFound,
        /unknown player "mallory"/,
      ],
      [
        'a player id with spaces',
        'arena',
        wire.join('no spaces'),
        EngineErrorCode.InvalidArgument,
        /player_id/,
      ],
      [
        'a player id over MAX_PLAYER_ID_LENGTH',
        'arena',
        wire.join('p'.repeat(MAX_PLAYER_ID_LENGTH + 1)),
        EngineErrorCode.InvalidArgument,
        /player_id/,
      ],
      [
        'a physics intent',
        'arena',
        { kind: { $case: 'removeBody', value: { bodyId: playerBodyId('alice') } } },
        EngineErrorCode.Unimplemented,
        /physics intent/,
      ],
    ];

    it.each(cases)('%s', async (_name, worldId, command, code, message) => {
      const before = engine.worlds.stateHash('arena');
      const physicsBefore = (await physicsClient.snapshot({ worldId: 'arena' })).stateHash;
      const error = await failure(client.applyCommand({ worldId, command }));
      expect(error).toMatchObject({ code });
      expect(error?.message).toMatch(message);
      expect(engine.worlds.stateHash('arena')).toBe(before);
      expect((await physicsClient.snapshot({ worldId: 'arena' })).stateHash).toBe(physicsBefore);
    });

    it('an unknown world is the error callers recover from by starting the world', async () => {
      expect(isUnknownWorldError(await failure(client.snapshot({ worldId: 'nowhere' })))).toBe(
        true,
      );
    });

    it('a call with another engine token is UNAUTHENTICATED', async () => {
      const stranger = new EngineClient(engine.address, {
        access: { token: 'not-the-engine-token-at-all', caller: 'e2e' },
      });
      try {
        await expect(stranger.init({ worldId: 'arena' })).rejects.toMatchObject({
          code: EngineErrorCode.Unauthenticated,
        });
      } finally {
        stranger.close();
      }
    });
  });

  describe('StreamCommands', () => {
    let stream: CommandStreamClient;
    beforeAll(() => (stream = new CommandStreamClient(engine.address, { access })));
    afterAll(() => stream.close());
    const streamed = (worldId: string, command: PlayerCommand) =>
      stream.submit(worldId, commandToWire(command));

    it('a join and a move of one player sent together apply at the same tick, in order', async () => {
      const [joined, moved] = await Promise.all([
        streamed('arena', { type: 'join', playerId: 'erin' }),
        streamed('arena', { type: 'move', playerId: 'erin', dx: 1, dy: 0 }),
      ]);
      expect(joined).toMatchObject({ entityId: playerBodyId('erin') });
      expect(moved.applyTick).toBe(joined.applyTick);
      await client.tick({ worldId: 'arena', targetTick: joined.applyTick });
      const erin = (await physicsClient.snapshot({ worldId: 'arena' })).bodies.find(
        (b) => b.bodyId === playerBodyId('erin'),
      );
      expect(erin?.vxMmS).toBeGreaterThan(0);
    });

    it('a join the physics engine refuses (world full) is reverted, so the player can try again', async () => {
      await client.init({
        worldId: 'tiny',
        config: { widthMm: 20_000, heightMm: 10_000, maxBodies: 1 },
      });
      const [first, second] = await Promise.allSettled([
        streamed('tiny', { type: 'join', playerId: 'a' }),
        streamed('tiny', { type: 'join', playerId: 'b' }),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(second).toMatchObject({ reason: { code: EngineErrorCode.ResourceExhausted } });
      // Not ALREADY_EXISTS: the refused join left no player behind.
      await expect(streamed('tiny', { type: 'join', playerId: 'b' })).rejects.toMatchObject({
        code: EngineErrorCode.ResourceExhausted,
      });
      await expect(
        streamed('tiny', { type: 'move', playerId: 'b', dx: 1, dy: 0 }),
      ).rejects.toMatchObject({
        code: EngineErrorCode.NotFound,
      });
      await client.closeWorld({ worldId: 'tiny' });
    });
  });

  it('a keyed join retried on a restarted interaction engine applies once: physics answers its key', async () => {
    const stream = new CommandStreamClient(engine.address, { access });
    const join = commandToWire({ type: 'join', playerId: 'fay' });
    const key = 'gw-1:fay:1';
    await client.init({ worldId: 'keyed' });
    const joined = await stream.submit('keyed', join, '', key);
    await expect(stream.submit('keyed', join, '', key)).resolves.toEqual(joined);
    stream.close();
    await client.tick({ worldId: 'keyed', targetTick: joined.applyTick });
    const physicsBefore = (await physicsClient.snapshot({ worldId: 'keyed' })).stateHash;
    // Another interaction engine on the same physics engine: it remembers neither fay nor the key.
    const otherBus = new InMemoryBus();
    const restarted = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: physics.address,
      }),
      bus: otherBus,
      clock: { now: () => time.now },
      logger: false,
    });
    const other = new CommandStreamClient(restarted.address, { access });
    const otherClient = new EngineClient(restarted.address, { access });
    try {
      await otherClient.init({ worldId: 'keyed' });
      await expect(other.submit('keyed', join, '', key)).resolves.toEqual(joined);
      expect((await physicsClient.snapshot({ worldId: 'keyed' })).stateHash).toBe(physicsBefore);
      // Its rules took the join: fay moves there.
      await expect(
        other.submit('keyed', commandToWire({ type: 'move', playerId: 'fay', dx: 1, dy: 0 })),
      ).resolves.toMatchObject({ entityId: playerBodyId('fay') });
      expect(await bodiesIn('keyed')).toEqual([playerBodyId('fay')]);
    } finally {
      other.close();
      otherClient.close();
      await restarted.close();
      await otherBus.close();
    }
    await client.closeWorld({ worldId: 'keyed' });
  });

  it('after the physics engine restarted, starts the world there again on the next command', async () => {
    await physics.restart();
    const joined = await applied('arena', { type: 'join', playerId: 'dave' });
    expect(joined).toMatchObject({ entityId: playerBodyId('dave') });
    expect(await bodiesIn('arena')).toContain(playerBodyId('dave'));
  });

  it('CloseWorld frees the world here and on physics; later calls find no world', async () => {
    await expect(client.closeWorld({ worldId: 'arena' })).resolves.toEqual({
      worldId: 'arena',
      closed: true,
    });
    const error = await failure(send('arena', { type: 'jump', playerId: 'alice' }));
    expect(isUnknownWorldError(error)).toBe(true);
    expect(isUnknownWorldError(await failure(physicsClient.snapshot({ worldId: 'arena' })))).toBe(
      true,
    );
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
