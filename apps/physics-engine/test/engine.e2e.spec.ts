import {
  EVENT_TYPES,
  InMemoryBus,
  worldTopic,
  type BusMessage,
  type PhysicsDeltaData,
} from '@anvil/bus';
import { Client, type ServiceError } from '@grpc/grpc-js';
import {
  BodyKind,
  BodyShape,
  CommandStreamClient,
  ENGINE_SERVICE_NAME,
  EngineClient,
  EngineErrorCode,
  EngineServiceService,
  checkEngineHealth,
  engineCallMetadata,
  engineChannelCredentials,
  type Command,
} from '@anvil/engine-contract';
import { bootstrap, type RunningPhysicsEngine } from '../src/bootstrap';
import { loadPhysicsConfig } from '../src/config/physics-config';
import { STATE_FORMAT_VERSION, decodeState, encodeState } from '../src/simulation/state-codec';
import { ManualClock } from '@anvil/runtime';

const spawn = (bodyId: string, xMm = 2_000, yMm = 3_000): Command => ({
  kind: {
    $case: 'spawnBody',
    value: {
      bodyId,
      kind: BodyKind.BODY_KIND_DYNAMIC,
      shape: BodyShape.BODY_SHAPE_BALL,
      halfWidthMm: 200,
      halfHeightMm: 0,
      xMm,
      yMm,
      vxMmS: 0,
      vyMmS: 0,
      lockRotation: false,
    },
  },
});

const ENGINE_TOKEN = 'physics-e2e-engine-token';
const access = { token: ENGINE_TOKEN, caller: 'e2e' };

async function collectDeltas(bus: InMemoryBus): Promise<BusMessage[]> {
  const messages: BusMessage[] = [];
  await bus.subscribe(
    { topic: worldTopic('physics'), group: `test-${Math.random()}`, fromBeginning: true },
    async (m) => {
      messages.push(m);
    },
  );
  return messages;
}

describe('physics engine over gRPC (manual ticks)', () => {
  let engine: RunningPhysicsEngine;
  let client: EngineClient;
  let bus: InMemoryBus;

  beforeAll(async () => {
    bus = new InMemoryBus();
    const config = loadPhysicsConfig({
      ENGINE_TOKEN,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      TICK_MODE: 'manual',
      TICK_HZ: '60',
      GRPC_MAX_MESSAGE_BYTES: '65536',
    });
    engine = await bootstrap({ config, bus, logger: false });
    client = new EngineClient(engine.address, { deadlineMs: 5_000, access });
  });
  afterAll(async () => {
    client.close();
    await engine.close();
    await bus.close();
  });

  it('serves the health service', async () => {
    await expect(
      checkEngineHealth(engine.address, engineChannelCredentials(), {
        service: ENGINE_SERVICE_NAME,
      }),
    ).resolves.toBe('SERVING');
  });

  it('inits idempotently and refuses a conflicting config', async () => {
    const first = await client.init({
      worldId: 'w1',
      config: { widthMm: 8_000, heightMm: 6_000, maxBodies: 0 },
    });
    expect(first).toMatchObject({
      worldId: 'w1',
      tick: 0,
      created: true,
      tickHz: 0,
      config: { widthMm: 8_000, gravityYMmS2: -9_810 },
    });
    const again = await client.init({
      worldId: 'w1',
      config: { widthMm: 8_000, heightMm: 6_000, maxBodies: 0 },
    });
    expect(again).toMatchObject({ created: false, stateHash: first.stateHash });
    await expect(
      client.init({ worldId: 'w1', config: { widthMm: 9_000, heightMm: 6_000, maxBodies: 0 } }),
    ).rejects.toMatchObject({
      code: EngineErrorCode.AlreadyExists,
    });
  });

  it('applies commands at the tick boundary, ticks, snapshots and publishes one delta per tick', async () => {
    const deltas = await collectDeltas(bus);
    await client.init({ worldId: 'w2' });
    await expect(client.applyCommand({ worldId: 'w2', command: spawn('ball-1') })).resolves.toEqual(
      { worldId: 'w2', applyTick: 1, entityId: 'ball-1' },
    );
    const ticked = await client.tick({ worldId: 'w2', targetTick: 10 });
    expect(ticked).toMatchObject({ tick: 10, steps: 10 });
    await expect(client.tick({ worldId: 'w2', targetTick: 5 })).resolves.toMatchObject({
      tick: 10,
      steps: 0,
      stateHash: ticked.stateHash,
    });
    const snap = await client.snapshot({ worldId: 'w2' });
    expect(snap).toMatchObject({ tick: 10, stateHash: ticked.stateHash });
    expect(snap.bodies).toHaveLength(1);
    expect(snap.bodies[0]).toMatchObject({
      bodyId: 'ball-1',
      xMm: 2_000,
      shape: BodyShape.BODY_SHAPE_BALL,
    });
    expect(snap.bodies[0].yMm).toBeLessThan(3_000);
    await new Promise((r) => setTimeout(r, 50));
    const w2 = deltas.filter((m) => m.key === 'w2');
    expect(w2.map((m) => m.event.tick)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const last = w2[9].event;
    expect(last).toMatchObject({
      type: EVENT_TYPES.physicsDelta,
      subject: 'w2',
      source: '/anvil/physics-engine',
    });
    expect((last.data as PhysicsDeltaData).bodies[0]).toMatchObject({
      id: 'ball-1',
      x: 2_000,
      y: snap.bodies[0].yMm,
    });
  });

  it('restores a snapshot into another world id with the same hash', async () => {
    const snap = await client.snapshot({ worldId: 'w2' });
    const restored = await client.restore({
      worldId: 'copy',
      state: snap.state,
      stateHash: snap.stateHash,
    });
    expect(restored).toEqual({ worldId: 'copy', tick: snap.tick, stateHash: snap.stateHash });
    const [a, b] = await Promise.all([
      client.tick({ worldId: 'w2', targetTick: 40 }),
      client.tick({ worldId: 'copy', targetTick: 40 }),
    ]);
    expect(b.stateHash).toBe(a.stateHash);
  });

  it('applies a command with an idempotency key once, over ApplyCommand and StreamCommands alike', async () => {
    await client.init({ worldId: 'keyed' });
    const first = await client.applyCommand({
      worldId: 'keyed',
      command: spawn('k1'),
      idempotencyKey: 'gw-1:s:1',
    });
    expect(first).toEqual({ worldId: 'keyed', applyTick: 1, entityId: 'k1' });
    await client.tick({ worldId: 'keyed', targetTick: 3 });
    const { stateHash } = await client.snapshot({ worldId: 'keyed' });
    const stream = new CommandStreamClient(engine.address, { access });
    try {
      await expect(stream.submit('keyed', spawn('k1'), '', 'gw-1:s:1')).resolves.toEqual(first);
      await expect(
        client.applyCommand({ worldId: 'keyed', command: spawn('k1'), idempotencyKey: 'gw-1:s:1' }),
      ).resolves.toEqual(first);
      expect((await client.snapshot({ worldId: 'keyed' })).stateHash).toBe(stateHash);
      // Unsent by the clients; a raw request is answered INVALID_ARGUMENT naming the field.
      const raw = EngineServiceService.applyCommand;
      const refused = await new Promise<ServiceError | null>((resolve) => {
        const c = new Client(engine.address, engineChannelCredentials());
        c.makeUnaryRequest(
          raw.path,
          raw.requestSerialize,
          raw.responseDeserialize,
          { worldId: 'keyed', command: spawn('k2'), idempotencyKey: 'no spaces' },
          engineCallMetadata(access),
          (error) => {
            c.close();
            resolve(error);
          },
        );
      });
      expect(refused?.code).toBe(3);
      expect(refused?.details).toMatch(/^idempotency_key must be at most 128 characters/);
      expect((await client.snapshot({ worldId: 'keyed' })).bodies).toHaveLength(1);
    } finally {
      stream.close();
    }
  });

  it("fences a game module's owner once its successor called: its later calls change nothing", async () => {
    const role = 'game:tag-game@1.4.0';
    const paused = { role, epoch: 1 };
    const successor = { role, epoch: 2 };
    await client.init({ worldId: 'fenced', sender: paused });
    await client.applyCommand({ worldId: 'fenced', command: spawn('a'), sender: paused });
    // The successor takes the world over: its Init raises the world's epoch for the role.
    await client.init({ worldId: 'fenced', sender: successor });
    await client.tick({ worldId: 'fenced', targetTick: 2 });
    const stream = new CommandStreamClient(engine.address, { access });
    try {
      // The paused owner wakes up: on the stream, over ApplyCommand and with Init alike.
      const refusal = { code: 'FAILED_PRECONDITION', name: 'SenderFencedError' };
      await expect(stream.submit('fenced', spawn('b'), '', '', paused)).rejects.toMatchObject(
        refusal,
      );
      await expect(
        client.applyCommand({ worldId: 'fenced', command: spawn('c'), sender: paused }),
      ).rejects.toMatchObject(refusal);
      await expect(client.init({ worldId: 'fenced', sender: paused })).rejects.toMatchObject(
        refusal,
      );
      await client.tick({ worldId: 'fenced', targetTick: 4 });
      const ids = async () =>
        (await client.snapshot({ worldId: 'fenced' })).bodies.map((b) => b.bodyId);
      expect(await ids()).toEqual(['a']);
      // The successor, another module version (epochs of its own) and callers without a lease
      // go on.
      await expect(stream.submit('fenced', spawn('d'), '', '', successor)).resolves.toMatchObject({
        entityId: 'd',
      });
      await client.applyCommand({
        worldId: 'fenced',
        command: spawn('e'),
        sender: { role: 'game:tag-game@1.5.0', epoch: 1 },
      });
      await client.applyCommand({ worldId: 'fenced', command: spawn('f') });
      await expect(
        client.applyCommand({
          worldId: 'fenced',
          command: spawn('g'),
          sender: { role: 'no spaces', epoch: 3 },
        }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/^sender.role must be/),
      });
    } finally {
      stream.close();
    }
  });

  describe('bad requests get a status and change nothing', () => {
    const cases: Array<[string, () => Promise<unknown>, EngineErrorCode, RegExp]> = [
      [
        'empty command',
        () => client.applyCommand({ worldId: 'w3', command: {} }),
        'INVALID_ARGUMENT',
        /command is empty/,
      ],
      [
        'no command',
        () => client.applyCommand({ worldId: 'w3' }),
        'INVALID_ARGUMENT',
        /command is empty/,
      ],
      [
        'unknown world',
        () => client.applyCommand({ worldId: 'nope', command: spawn('x') }),
        'NOT_FOUND',
        /unknown world "nope"/,
      ],
      [
        'bad world id',
        () => client.snapshot({ worldId: 'a/b' }),
        'INVALID_ARGUMENT',
        /world_id must be/,
      ],
      [
        'unknown body',
        () =>
          client.applyCommand({
            worldId: 'w3',
            command: { kind: { $case: 'removeBody', value: { bodyId: 'ghost' } } },
          }),
        'NOT_FOUND',
        /unknown body "ghost"/,
      ],
      [
        'duplicate body',
        () => client.applyCommand({ worldId: 'w3', command: spawn('b1') }),
        'ALREADY_EXISTS',
        /already exists/,
      ],
      [
        'out of bounds',
        () => client.applyCommand({ worldId: 'w3', command: spawn('b9', 999_999) }),
        'INVALID_ARGUMENT',
        /x_mm must be in/,
      ],
      [
        'player command',
        () =>
          client.applyCommand({
            worldId: 'w3',
            command: { kind: { $case: 'jump', value: { playerId: 'p' } } },
          }),
        'UNIMPLEMENTED',
        /interaction engine/,
      ],
      [
        'module command',
        () =>
          client.applyCommand({
            worldId: 'w3',
            command: {
              kind: { $case: 'module', value: { type: 'x.y', payload: Buffer.from('{}') } },
            },
          }),
        'INVALID_ARGUMENT',
        /unknown module command type "x.y"/,
      ],
      [
        'corrupt state',
        () =>
          client.restore({ worldId: 'w3', state: Buffer.from('not a snapshot'), stateHash: '' }),
        'INVALID_ARGUMENT',
        /not a physics-engine snapshot/,
      ],
      [
        'a state of a newer format than the engine reads',
        async () => {
          const { state } = await client.snapshot({ worldId: 'w3' });
          const { header, rapierSnapshot } = decodeState(state);
          const newer = encodeState({ ...header, v: STATE_FORMAT_VERSION + 1 }, rapierSnapshot);
          return client.restore({ worldId: 'w4', state: newer, stateHash: '' });
        },
        'FAILED_PRECONDITION',
        /was written by a newer physics engine/,
      ],
      [
        'wrong state hash',
        () => client.restore({ worldId: 'w3', state: Buffer.from('x'), stateHash: 'abc' }),
        'INVALID_ARGUMENT',
        /state_hash does not match/,
      ],
      [
        'oversized message',
        () => client.restore({ worldId: 'w3', state: Buffer.alloc(100_000), stateHash: '' }),
        'RESOURCE_EXHAUSTED',
        /./,
      ],
      [
        'too many steps',
        () => client.tick({ worldId: 'w3', targetTick: 10_000_000 }),
        'INVALID_ARGUMENT',
        /at most 100000/,
      ],
    ];

    beforeAll(async () => {
      await client.init({ worldId: 'w3' });
      await client.applyCommand({ worldId: 'w3', command: spawn('b1') });
      await client.tick({ worldId: 'w3', targetTick: 1 });
    });

    it.each(cases)('%s', async (_name, call, code, message) => {
      const before = await client.snapshot({ worldId: 'w3' });
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
      const after = await client.snapshot({ worldId: 'w3' });
      expect(after.stateHash).toBe(before.stateHash);
    });
  });
});

describe('physics engine with its own clock (auto ticks)', () => {
  it('steps each world at the configured rate and publishes its deltas', async () => {
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const config = loadPhysicsConfig({
      ENGINE_TOKEN,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      TICK_HZ: '50',
    });
    const engine = await bootstrap({ config, bus, clock, timers: clock, logger: false });
    const client = new EngineClient(engine.address, { access });
    try {
      const deltas = await collectDeltas(bus);
      expect(await client.init({ worldId: 'auto' })).toMatchObject({ tickHz: 50 });
      // Answered once the command is in the log, so only after the tick that applies it.
      const applied = client.applyCommand({ worldId: 'auto', command: spawn('b') });
      const runtime = engine.worlds.get('auto');
      while (runtime.sim.pendingCount === 0) await new Promise((r) => setTimeout(r, 5));
      clock.advance(1_000);
      await expect(applied).resolves.toMatchObject({ applyTick: 1, entityId: 'b' });
      expect((await client.snapshot({ worldId: 'auto' })).tick).toBe(50);
      await expect(client.tick({ worldId: 'auto', targetTick: 60 })).rejects.toMatchObject({
        code: EngineErrorCode.FailedPrecondition,
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(deltas.map((m) => m.event.tick)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    } finally {
      client.close();
      await engine.close();
      await bus.close();
    }
    expect(clock.pending).toBe(0);
  });
});
