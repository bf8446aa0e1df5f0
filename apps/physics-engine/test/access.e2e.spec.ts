import { InMemoryBus } from '@anvil/bus';
import {
  BodyKind,
  BodyShape,
  ENGINE_SERVICE_NAME,
  EngineClient,
  EngineErrorCode,
  checkEngineHealth,
  engineChannelCredentials,
  isUnknownWorldError,
  type Command,
  type EngineAccess,
} from '@anvil/engine-contract';
import { bootstrap, type RunningPhysicsEngine } from '../src/bootstrap';
import { loadPhysicsConfig } from '../src/config/physics-config';
import { ManualClock } from '@anvil/runtime';

// Who may call the physics engine and how much: real grpc-js clients against the real app.
const ENGINE_TOKEN = 'physics-access-e2e-token';

const spawn = (bodyId: string): Command => ({
  kind: {
    $case: 'spawnBody',
    value: {
      bodyId,
      kind: BodyKind.BODY_KIND_DYNAMIC,
      shape: BodyShape.BODY_SHAPE_BALL,
      halfWidthMm: 200,
      halfHeightMm: 0,
      xMm: 2_000,
      yMm: 3_000,
      vxMmS: 0,
      vyMmS: 0,
      lockRotation: false,
    },
  },
});

/** Every EngineService RPC, called once with harmless arguments. */
const everyRpc: Array<[string, (c: EngineClient) => Promise<unknown>]> = [
  ['Init', (c) => c.init({ worldId: 'stranger' })],
  ['ApplyCommand', (c) => c.applyCommand({ worldId: 'stranger', command: spawn('x') })],
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

async function start(env: Record<string, string>, clock?: ManualClock) {
  const bus = new InMemoryBus();
  const config = loadPhysicsConfig({
    ENGINE_TOKEN,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    TICK_MODE: 'manual',
    ...env,
  });
  const engine = await bootstrap({ config, bus, clock, timers: clock, logger: false });
  const clients: EngineClient[] = [];
  const connect = (access?: EngineAccess) => {
    const client = new EngineClient(engine.address, { access });
    clients.push(client);
    return client;
  };
  const stop = async () => {
    clients.forEach((c) => c.close());
    await engine.close();
    await bus.close();
  };
  return { engine, connect, stop };
}

describe('physics engine access', () => {
  let engine: RunningPhysicsEngine;
  let connect: (access?: EngineAccess) => EngineClient;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ engine, connect, stop } = await start({
      MAX_WORLDS: '3',
      MAX_WORLDS_PER_CALLER: '2',
      MAX_BODIES_PER_WORLD: '3',
      MAX_BODIES_TOTAL: '5',
    }));
  });
  afterAll(() => stop());

  it.each(everyRpc)(
    'answers %s without a token UNAUTHENTICATED and changes nothing',
    async (_, call) => {
      const error = await failure(call(connect()));
      expect(error).toMatchObject({ code: EngineErrorCode.Unauthenticated });
      expect(error?.message).toMatch(/engine token missing or wrong/);
      expect(engine.worlds.size).toBe(0);
    },
  );

  it.each(everyRpc)(
    'answers %s with a wrong token UNAUTHENTICATED, never echoing it',
    async (_, call) => {
      const wrong = 'not-the-engine-token-at-all';
      const error = await failure(call(connect({ token: wrong, caller: 'mallory' })));
      expect(error).toMatchObject({ code: EngineErrorCode.Unauthenticated });
      expect(error?.message).not.toContain(wrong);
      expect(error?.message).not.toContain(ENGINE_TOKEN);
      expect(engine.worlds.size).toBe(0);
    },
  );

  it('keeps the health service open for probes without a token', async () => {
    await expect(
      checkEngineHealth(engine.address, engineChannelCredentials(), {
        service: ENGINE_SERVICE_NAME,
      }),
    ).resolves.toBe('SERVING');
  });

  it('refuses a malformed caller name', async () => {
    const error = await failure(
      connect({ token: ENGINE_TOKEN, caller: 'no spaces allowed' }).snapshot({ worldId: 'w' }),
    );
    expect(error).toMatchObject({ code: EngineErrorCode.InvalidArgument });
    expect(error?.message).toMatch(/x-anvil-caller/);
  });

  it('limits worlds per caller and per engine, and bodies per world and in total', async () => {
    const alice = connect({ token: ENGINE_TOKEN, caller: 'alice' });
    const bob = connect({ token: ENGINE_TOKEN, caller: 'bob' });
    await alice.init({ worldId: 'a1' });
    await alice.init({ worldId: 'a2' });
    await expect(alice.init({ worldId: 'a3' })).rejects.toMatchObject({
      code: EngineErrorCode.ResourceExhausted,
      message: expect.stringMatching(/MAX_WORLDS_PER_CALLER/),
    });
    await bob.init({ worldId: 'b1' });
    await expect(bob.init({ worldId: 'b2' })).rejects.toMatchObject({
      code: EngineErrorCode.ResourceExhausted,
      message: expect.stringMatching(/3 worlds \(MAX_WORLDS\)/),
    });
    for (const id of ['x1', 'x2', 'x3'])
      await alice.applyCommand({ worldId: 'a1', command: spawn(id) });
    await expect(alice.applyCommand({ worldId: 'a1', command: spawn('x4') })).rejects.toMatchObject(
      { code: EngineErrorCode.ResourceExhausted, message: 'world is full: 3 bodies' },
    );
    await bob.applyCommand({ worldId: 'b1', command: spawn('y1') });
    await bob.applyCommand({ worldId: 'b1', command: spawn('y2') });
    await expect(bob.applyCommand({ worldId: 'b1', command: spawn('y3') })).rejects.toMatchObject({
      code: EngineErrorCode.ResourceExhausted,
      message: expect.stringMatching(/MAX_BODIES_TOTAL/),
    });
  });

  it('closes a world: later calls find no world, a second close is fine, its quota is free', async () => {
    const alice = connect({ token: ENGINE_TOKEN, caller: 'alice' });
    await expect(alice.closeWorld({ worldId: 'a1' })).resolves.toEqual({
      worldId: 'a1',
      closed: true,
    });
    const gone = await failure(alice.snapshot({ worldId: 'a1' }));
    expect(gone).toMatchObject({ code: EngineErrorCode.NotFound });
    expect(isUnknownWorldError(gone)).toBe(true);
    await expect(alice.closeWorld({ worldId: 'a1' })).resolves.toEqual({
      worldId: 'a1',
      closed: false,
    });
    await expect(alice.closeWorld({ worldId: 'never-was' })).resolves.toMatchObject({
      closed: false,
    });
    // Its world slot and its 3 bodies are free again.
    expect(engine.worlds.totalBodies()).toBe(2);
    await alice.init({ worldId: 'a3' });
    await alice.applyCommand({ worldId: 'a3', command: spawn('z1') });
    await expect(alice.tick({ worldId: 'a3', targetTick: 2 })).resolves.toMatchObject({ tick: 2 });
  });

  it('answers a handler that throws, or rejects, INTERNAL and goes on serving', async () => {
    const client = connect({ token: ENGINE_TOKEN, caller: 'alice' });
    const worlds = engine.worlds as unknown as Record<string, unknown>;
    const original = { snapshot: worlds['snapshot'], close: worlds['close'] };
    worlds['snapshot'] = () => {
      throw new TypeError('a bug with /secret/path');
    };
    worlds['close'] = async () => Promise.reject(new RangeError('an async bug'));
    try {
      for (const call of [
        client.snapshot({ worldId: 'a2' }),
        client.closeWorld({ worldId: 'a2' }),
      ]) {
        const error = await failure(call);
        expect(error).toMatchObject({ code: EngineErrorCode.Internal });
        expect(error?.message).toBe('internal engine error');
      }
    } finally {
      Object.assign(worlds, original);
    }
    await expect(client.snapshot({ worldId: 'a2' })).resolves.toMatchObject({ worldId: 'a2' });
  });
});

describe('physics engine world quota under concurrent Inits', () => {
  it('creates no more than MAX_WORLDS worlds when many Inits race', async () => {
    const { engine, stop } = await start({ MAX_WORLDS: '3', MAX_WORLDS_PER_CALLER: '3' });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => engine.worlds.init(`race-${i}`, undefined, 'racer')),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(engine.worlds.size).toBe(3);
    } finally {
      await stop();
    }
  });
});

describe('physics engine call rate per caller', () => {
  it('answers calls past MAX_CALLS_PER_SECOND RESOURCE_EXHAUSTED, per caller and per second', async () => {
    const clock = new ManualClock();
    const { connect, stop } = await start({ MAX_CALLS_PER_SECOND: '5' }, clock);
    try {
      const busy = connect({ token: ENGINE_TOKEN, caller: 'busy' });
      await busy.init({ worldId: 'r' });
      for (let i = 0; i < 4; i++) await busy.snapshot({ worldId: 'r' });
      await expect(busy.snapshot({ worldId: 'r' })).rejects.toMatchObject({
        code: EngineErrorCode.ResourceExhausted,
        message: 'caller "busy" is over its quota of 5 calls per second',
      });
      const calm = connect({ token: ENGINE_TOKEN, caller: 'calm' });
      await expect(calm.snapshot({ worldId: 'r' })).resolves.toMatchObject({ worldId: 'r' });
      clock.setNow(1_000);
      await expect(busy.snapshot({ worldId: 'r' })).resolves.toMatchObject({ worldId: 'r' });
    } finally {
      await stop();
    }
  });
});
