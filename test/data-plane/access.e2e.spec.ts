// Who may call the interaction engine and how much, and CloseWorld through both engines: real
// grpc-js clients against both engine apps booted in this process on loopback.
import { createServer, type Server, type Socket } from 'node:net';
import { InMemoryBus } from '@anvil/bus';
import {
  ENGINE_SERVICE_NAME,
  EngineClient,
  EngineErrorCode,
  checkEngineHealth,
  engineChannelCredentials,
  isUnknownWorldError,
  type Command,
  type EngineAccess,
} from '@anvil/engine-contract';
import {
  bootstrap as bootstrapPhysics,
  type RunningPhysicsEngine,
} from '../../apps/physics-engine/src/bootstrap';
import { loadPhysicsConfig } from '../../apps/physics-engine/src/config/physics-config';
import {
  bootstrap,
  type RunningInteractionEngine,
} from '../../apps/interaction-engine/src/bootstrap';
import { loadInteractionConfig } from '../../apps/interaction-engine/src/config/interaction-config';
import { encodeRulesState } from '../../apps/interaction-engine/src/rules/rules-state';

const ENGINE_TOKEN = 'data-plane-access-e2e-token';
const join = (playerId: string): Command => ({ kind: { $case: 'join', value: { playerId } } });

const everyRpc: Array<[string, (c: EngineClient) => Promise<unknown>]> = [
  ['Init', (c) => c.init({ worldId: 'stranger' })],
  ['ApplyCommand', (c) => c.applyCommand({ worldId: 'stranger', command: join('p') })],
  ['Tick', (c) => c.tick({ worldId: 'stranger', targetTick: 1 })],
  ['Snapshot', (c) => c.snapshot({ worldId: 'stranger' })],
  ['Restore', (c) => c.restore({ worldId: 'stranger', state: Buffer.from('x'), stateHash: '' })],
  ['CloseWorld', (c) => c.closeWorld({ worldId: 'stranger' })],
];

const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (error: unknown) => error as Error & { code: string },
  );

const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('interaction engine access, quotas and CloseWorld', () => {
  const bus = new InMemoryBus();
  const time = { now: 0 };
  const clients: EngineClient[] = [];
  let physics: RunningPhysicsEngine;
  let interaction: RunningInteractionEngine;
  const connect = (address: string, access?: EngineAccess) => {
    const client = new EngineClient(address, { access });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    physics = await bootstrapPhysics({
      config: loadPhysicsConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        TICK_MODE: 'manual',
      }),
      bus,
      logger: false,
    });
    interaction = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: physics.address,
        MAX_WORLDS: '3',
        MAX_WORLDS_PER_CALLER: '2',
        MAX_CALLS_PER_SECOND: '50',
      }),
      bus,
      clock: { now: () => time.now },
      logger: false,
    });
  });

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await interaction.close();
    await physics.close();
    await bus.close();
  });

  it.each(everyRpc)('answers %s without a token UNAUTHENTICATED', async (_, call) => {
    const error = await failure(call(connect(interaction.address)));
    expect(error).toMatchObject({ code: EngineErrorCode.Unauthenticated });
    expect(interaction.worlds.size).toBe(0);
  });

  it.each(everyRpc)('answers %s with a wrong token UNAUTHENTICATED', async (_, call) => {
    const wrong = 'guessed-engine-token-123';
    const error = await failure(call(connect(interaction.address, { token: wrong })));
    expect(error).toMatchObject({ code: EngineErrorCode.Unauthenticated });
    expect(error?.message).not.toContain(wrong);
    expect(interaction.worlds.size).toBe(0);
  });

  it('keeps the health service open', async () => {
    await expect(
      checkEngineHealth(interaction.address, engineChannelCredentials(), {
        service: ENGINE_SERVICE_NAME,
      }),
    ).resolves.toBe('SERVING');
  });

  it('limits worlds per caller and per engine', async () => {
    const alice = connect(interaction.address, { token: ENGINE_TOKEN, caller: 'alice' });
    const bob = connect(interaction.address, { token: ENGINE_TOKEN, caller: 'bob' });
    await alice.init({ worldId: 'a1' });
    await alice.init({ worldId: 'a2' });
    await expect(alice.init({ worldId: 'a3' })).rejects.toMatchObject({
      code: EngineErrorCode.ResourceExhausted,
      message: expect.stringMatching(/MAX_WORLDS_PER_CALLER/),
    });
    await bob.init({ worldId: 'b1' });
    await expect(bob.init({ worldId: 'b2' })).rejects.toMatchObject({
      code: EngineErrorCode.ResourceExhausted,
      message: expect.stringMatching(/MAX_WORLDS/),
    });
  });

  it('closes a world here and on its physics engine; closing again is fine', async () => {
    const alice = connect(interaction.address, { token: ENGINE_TOKEN, caller: 'alice' });
    const direct = connect(physics.address, { token: ENGINE_TOKEN, caller: 'e2e' });
    await alice.applyCommand({ worldId: 'a1', command: join('ann') });
    await expect(alice.closeWorld({ worldId: 'a1' })).resolves.toEqual({
      worldId: 'a1',
      closed: true,
    });
    for (const client of [alice, direct]) {
      const error = await failure(client.snapshot({ worldId: 'a1' }));
      expect(isUnknownWorldError(error)).toBe(true);
    }
    await expect(
      alice.applyCommand({ worldId: 'a1', command: join('late') }),
    ).rejects.toMatchObject({ code: EngineErrorCode.NotFound });
    await expect(alice.closeWorld({ worldId: 'a1' })).resolves.toEqual({
      worldId: 'a1',
      closed: false,
    });
    // The caller's world slot is free again.
    await expect(alice.init({ worldId: 'a3' })).resolves.toMatchObject({ created: true });
  });

  it('refuses a Restore holding more players than a world may have', async () => {
    const alice = connect(interaction.address, { token: ENGINE_TOKEN, caller: 'alice' });
    const settings = { widthMm: 40_000, heightMm: 20_000, gravityYMmS2: -9_810, maxBodies: 64 };
    const players = Array.from({ length: 65 }, (_, i) => ({
      playerId: `p${i}`,
      bodyId: `p:p${i}`,
    }));
    await expect(
      alice.restore({
        worldId: 'crowd',
        state: encodeRulesState(settings, players),
        stateHash: '',
      }),
    ).rejects.toMatchObject({
      code: EngineErrorCode.InvalidArgument,
      message: expect.stringMatching(/MAX_PLAYERS_PER_WORLD \(64\)/),
    });
  });

  it('answers calls past MAX_CALLS_PER_SECOND RESOURCE_EXHAUSTED until the next second', async () => {
    const busy = connect(interaction.address, { token: ENGINE_TOKEN, caller: 'busy' });
    time.now = 10_000;
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => failure(busy.snapshot({ worldId: 'a2' }))),
    );
    const refused = answers.filter((e) => e?.code === EngineErrorCode.ResourceExhausted);
    expect(refused).toHaveLength(10);
    expect(refused[0]?.message).toBe('caller "busy" is over its quota of 50 calls per second');
    time.now = 11_000;
    await expect(busy.snapshot({ worldId: 'a2' })).resolves.toMatchObject({ worldId: 'a2' });
  });

  it('answers UNAVAILABLE, not UNAUTHENTICATED, when its physics engine refuses its token', async () => {
    const other = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN: 'another-deployments-token',
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: physics.address,
      }),
      bus,
      logger: false,
    });
    const client = new EngineClient(other.address, {
      access: { token: 'another-deployments-token' },
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    try {
      await expect(client.init({ worldId: 'w' })).rejects.toMatchObject({
        code: EngineErrorCode.Unavailable,
        message: expect.stringMatching(/refused this engine's ENGINE_TOKEN/),
      });
    } finally {
      client.close();
      await other.close();
    }
  });
});

describe('interaction engine queued commands per world', () => {
  // A physics engine that accepts connections and never answers: commands stay queued.
  let blackHole: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('answers RESOURCE_EXHAUSTED past MAX_QUEUED_COMMANDS_PER_WORLD', async () => {
    const bus = new InMemoryBus();
    const port = (blackHole.address() as { port: number }).port;
    const engine = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: `127.0.0.1:${port}`,
        PHYSICS_DEADLINE_MS: '60000',
        MAX_QUEUED_COMMANDS_PER_WORLD: '2',
      }),
      bus,
      logger: false,
    });
    const client = new EngineClient(engine.address, {
      access: { token: ENGINE_TOKEN },
      deadlineMs: 60_000,
    });
    try {
      // Restore makes the world here without asking the physics engine.
      const settings = { widthMm: 40_000, heightMm: 20_000, gravityYMmS2: -9_810, maxBodies: 64 };
      await client.restore({ worldId: 'q', state: encodeRulesState(settings, []), stateHash: '' });
      const stuck = [
        failure(client.applyCommand({ worldId: 'q', command: join('p1') })),
        failure(client.applyCommand({ worldId: 'q', command: join('p2') })),
      ];
      await waitFor(() => engine.worlds.queuedCommands('q') === 2, 'two queued commands');
      await expect(
        client.applyCommand({ worldId: 'q', command: join('p3') }),
      ).rejects.toMatchObject({
        code: EngineErrorCode.ResourceExhausted,
        message: expect.stringMatching(/MAX_QUEUED_COMMANDS_PER_WORLD/),
      });
      // The engine's connection may still be on its way here (a loaded machine): cut it once it came.
      await waitFor(() => sockets.size > 0, 'the connection to the physics engine');
      sockets.forEach((s) => s.destroy());
      const settled = await Promise.all(stuck);
      expect(settled.every((e) => e !== undefined)).toBe(true);
      await waitFor(() => engine.worlds.queuedCommands('q') === 0, 'the queue to drain');
    } finally {
      client.close();
      await engine.close();
      await bus.close();
    }
  });
});
