// The data plane end to end on loopback: the interaction engine and the physics engine, both
// booted in this process with their whole Nest modules, talking real gRPC and sharing one
// in-memory bus. Apps never import each other, so tests spanning apps live here, in the repository's test/.
import {
  EVENT_TYPES,
  InMemoryBus,
  worldTopic,
  type BusMessage,
  type PhysicsDeltaData,
} from '@anvil/bus';
import {
  ENGINE_SERVICE_NAME,
  EngineClient,
  EngineErrorCode,
  checkEngineHealth,
  engineChannelCredentials,
  type Command,
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
import { createStorage } from '@anvil/storage';

const ENGINE_TOKEN = 'data-plane-e2e-engine-token';
const access = { token: ENGINE_TOKEN, caller: 'e2e' };

const cmd = {
  join: (playerId: string): Command => ({ kind: { $case: 'join', value: { playerId } } }),
  leave: (playerId: string): Command => ({ kind: { $case: 'leave', value: { playerId } } }),
  move: (playerId: string, dx: number, dy = 0): Command => ({
    kind: { $case: 'move', value: { playerId, dx, dy } },
  }),
  jump: (playerId: string): Command => ({ kind: { $case: 'jump', value: { playerId } } }),
  interact: (playerId: string, targetId: string): Command => ({
    kind: { $case: 'interact', value: { playerId, targetId } },
  }),
};

describe('interaction engine -> physics engine over gRPC', () => {
  const bus = new InMemoryBus();
  const time = { now: 100_000 };
  const messages: BusMessage[] = [];
  let physics: RunningPhysicsEngine;
  let interaction: RunningInteractionEngine;
  let client: EngineClient;
  let physicsClient: EngineClient;

  beforeAll(async () => {
    physics = await bootstrapPhysics({
      config: loadPhysicsConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        TICK_MODE: 'manual',
        TICK_HZ: '60',
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
        GRPC_MAX_MESSAGE_BYTES: '65536',
      }),
      bus,
      clock: { now: () => time.now },
      logger: false,
    });
    client = new EngineClient(interaction.address, { access });
    physicsClient = new EngineClient(physics.address, { access });
    for (const kind of ['physics', 'interaction'] as const) {
      await bus.subscribe(
        { topic: worldTopic(kind), group: `e2e-${kind}`, fromBeginning: true },
        async (m) => void messages.push(m),
      );
    }
    await client.init({ worldId: 'arena' });
  });

  afterAll(async () => {
    client.close();
    physicsClient.close();
    await interaction.close();
    await physics.close();
    await bus.close();
  });

  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('serves the health service', async () => {
    await expect(
      checkEngineHealth(interaction.address, engineChannelCredentials(), {
        service: ENGINE_SERVICE_NAME,
      }),
    ).resolves.toBe('SERVING');
  });

  it('join -> move -> tick moves the player body and puts the delta on the bus', async () => {
    const joined = await client.applyCommand({ worldId: 'arena', command: cmd.join('alice') });
    expect(joined).toMatchObject({ worldId: 'arena', applyTick: 1, entityId: 'p:alice' });
    await client.tick({ worldId: 'arena', targetTick: 30 });
    const before = (await client.snapshot({ worldId: 'arena' })).bodies.find(
      (b) => b.bodyId === 'p:alice',
    )!;
    await client.applyCommand({ worldId: 'arena', command: cmd.move('alice', 2) });
    const ticked = await client.tick({ worldId: 'arena', targetTick: 60 });
    expect(ticked.tick).toBe(60);
    const after = (await client.snapshot({ worldId: 'arena' })).bodies.find(
      (b) => b.bodyId === 'p:alice',
    )!;
    expect(after.xMm - before.xMm).toBeGreaterThan(500);
    await settle();
    const deltas = messages.filter(
      (m) => m.event.type === EVENT_TYPES.physicsDelta && m.key === 'arena',
    );
    expect(deltas.map((m) => m.event.tick)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const last = deltas.at(-1)!.event.data as PhysicsDeltaData;
    expect(last.bodies.find((b) => b.id === 'p:alice')).toMatchObject({
      x: after.xMm,
      y: after.yMm,
    });
    const joinedEvent = messages.find((m) => m.event.type === EVENT_TYPES.playerJoined);
    expect(joinedEvent?.event).toMatchObject({
      subject: 'arena',
      tick: 1,
      data: { worldId: 'arena', playerId: 'alice', bodyId: 'p:alice' },
    });
  });

  it('jump respects the cooldown of the injected clock', async () => {
    await client.applyCommand({ worldId: 'arena', command: cmd.jump('alice') });
    time.now += 100;
    await expect(
      client.applyCommand({ worldId: 'arena', command: cmd.jump('alice') }),
    ).rejects.toMatchObject({ code: EngineErrorCode.FailedPrecondition });
    time.now += 400;
    await expect(
      client.applyCommand({ worldId: 'arena', command: cmd.jump('alice') }),
    ).resolves.toMatchObject({ entityId: 'p:alice' });
  });

  it('publishes interactions and leaves', async () => {
    await client.applyCommand({ worldId: 'arena', command: cmd.join('bob') });
    await client.applyCommand({ worldId: 'arena', command: cmd.interact('bob', 'alice') });
    await client.applyCommand({ worldId: 'arena', command: cmd.leave('bob') });
    await client.tick({ worldId: 'arena', targetTick: 70 });
    await settle();
    const types = messages
      .filter((m) => m.topic === worldTopic('interaction'))
      .map((m) => m.event.type);
    expect(types).toEqual([
      EVENT_TYPES.playerJoined,
      EVENT_TYPES.playerJoined,
      'dev.anvil.interaction.player-interacted.v1',
      EVENT_TYPES.playerLeft,
    ]);
    const snap = await client.snapshot({ worldId: 'arena' });
    expect(snap.bodies.map((b) => b.bodyId)).toEqual(['p:alice']);
  });

  it('snapshots its rules state and restores it', async () => {
    const snap = await client.snapshot({ worldId: 'arena' });
    expect(JSON.parse(snap.state.toString())).toMatchObject({
      players: [{ playerId: 'alice', bodyId: 'p:alice' }],
    });
    await expect(
      client.restore({ worldId: 'arena-copy', state: snap.state, stateHash: snap.stateHash }),
    ).resolves.toMatchObject({ stateHash: snap.stateHash });
  });

  describe('bad commands get a status and change nothing', () => {
    const cases: Array<[string, Command | undefined, EngineErrorCode, RegExp, string?]> = [
      ['empty command', {}, 'INVALID_ARGUMENT', /command is empty/],
      ['NaN', cmd.move('alice', NaN), 'INVALID_ARGUMENT', /move.dx must be a finite number/],
      [
        'Infinity',
        cmd.move('alice', 0, Infinity),
        'INVALID_ARGUMENT',
        /move.dy must be a finite number/,
      ],
      ['unknown player', cmd.move('mallory', 1), 'NOT_FOUND', /unknown player "mallory"/],
      ['unknown target', cmd.interact('alice', 'ghost'), 'NOT_FOUND', /unknown player "ghost"/],
      ['duplicate join', cmd.join('alice'), 'ALREADY_EXISTS', /already joined/],
      ['bad player id', cmd.join('no spaces'), 'INVALID_ARGUMENT', /join.player_id must be/],
      [
        'physics intent',
        { kind: { $case: 'removeBody', value: { bodyId: 'p:alice' } } },
        'UNIMPLEMENTED',
        /physics intent/,
      ],
      [
        'module command',
        { kind: { $case: 'module', value: { type: 'chat', payload: Buffer.from('hi') } } },
        'INVALID_ARGUMENT',
        /unknown module command type "chat"/,
      ],
      ['unknown world', cmd.join('zed'), 'NOT_FOUND', /unknown world "nowhere"/, 'nowhere'],
      [
        'oversized message',
        { kind: { $case: 'module', value: { type: 'x', payload: Buffer.alloc(70_000) } } },
        'RESOURCE_EXHAUSTED',
        /./,
      ],
    ];

    it.each(cases)('%s', async (_name, command, code, message, worldId = 'arena') => {
      const rulesBefore = interaction.worlds.stateHash('arena');
      const physicsBefore = (await physicsClient.snapshot({ worldId: 'arena' })).stateHash;
      const error = await client.applyCommand({ worldId, command }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
      expect(interaction.worlds.stateHash('arena')).toBe(rulesBefore);
      expect((await physicsClient.snapshot({ worldId: 'arena' })).stateHash).toBe(physicsBefore);
    });
  });

  it('answers UNAVAILABLE when the physics engine is unreachable', async () => {
    const lonely = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: '127.0.0.1:1',
        PHYSICS_DEADLINE_MS: '500',
      }),
      bus,
      logger: false,
    });
    const c = new EngineClient(lonely.address, {
      access,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    try {
      await expect(c.init({ worldId: 'w' })).rejects.toMatchObject({
        code: EngineErrorCode.Unavailable,
      });
    } finally {
      c.close();
      await lonely.close();
    }
  });

  it('reaches the physics engine its Init binding names, not the configured one', async () => {
    const routed = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        MODULE_NAME: 'rules',
        PHYSICS_ENGINE_ADDRESS: '127.0.0.1:1',
        PHYSICS_DEADLINE_MS: '500',
      }),
      bus,
      logger: false,
    });
    const c = new EngineClient(routed.address, {
      access,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const binding = (consumer: string, address: string) => ({
      capabilityId: 'physics.simulation',
      consumer,
      provider: 'physics-rapier',
      address,
    });
    try {
      // Another module's binding is not this engine's: it falls back to the dead address.
      await expect(
        c.init({ worldId: 'bound', bindings: [binding('other', physics.address)] }),
      ).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
      await expect(
        c.init({
          worldId: 'bound',
          bindings: [binding('other', '127.0.0.1:1'), binding('rules', physics.address)],
        }),
      ).resolves.toMatchObject({ worldId: 'bound', created: true });
      await c.applyCommand({ worldId: 'bound', command: cmd.join('routed-player') });
      await physicsClient.tick({ worldId: 'bound', targetTick: 2 });
      const bodies = (await physicsClient.snapshot({ worldId: 'bound' })).bodies;
      expect(bodies.map((b) => b.bodyId)).toContain('p:routed-player');
      await expect(
        c.init({ worldId: 'bound', bindings: [binding('rules', 'not an address')] }),
      ).rejects.toMatchObject({
        code: EngineErrorCode.InvalidArgument,
        message: expect.stringMatching(/bindings\[0\]\.address must be host:port/),
      });
    } finally {
      c.close();
      await routed.close();
    }
  });

  it('re-Inits a world on a restarted physics engine, which restores its checkpoint', async () => {
    const storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
    const physicsConfig = (port: number) =>
      loadPhysicsConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        TICK_MODE: 'manual',
        CHECKPOINT_EVERY_TICKS: '5',
      });
    let first: RunningPhysicsEngine | undefined = await bootstrapPhysics({
      config: physicsConfig(0),
      bus,
      storage,
      logger: false,
    });
    const port = first.port;
    const rules = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: first.address,
      }),
      bus,
      clock: { now: () => time.now },
      logger: false,
    });
    const c = new EngineClient(rules.address, { access });
    const direct = new EngineClient(first.address, { access });
    let second: RunningPhysicsEngine | undefined;
    try {
      await c.init({ worldId: 'phoenix' });
      await c.applyCommand({ worldId: 'phoenix', command: cmd.join('survivor') });
      await c.tick({ worldId: 'phoenix', targetTick: 5 });
      // Checkpoints are written in the background: wait (bounded) for the one at tick 5.
      for (let i = 0; i < 100 && (await storage.checkpoints.latest('phoenix', 0))?.tick !== 5; i++)
        await settle();
      expect((await storage.checkpoints.latest('phoenix', 0))?.tick).toBe(5);
      await first.close();
      first = undefined;
      second = await bootstrapPhysics({ config: physicsConfig(port), bus, storage, logger: false });
      // The new process has no world "phoenix" until the interaction engine Inits it again.
      const move = await c.applyCommand({ worldId: 'phoenix', command: cmd.move('survivor', 1) });
      expect(move.applyTick).toBe(6);
      const snapshot = await direct.snapshot({ worldId: 'phoenix' });
      expect(snapshot.tick).toBe(5);
      expect(snapshot.bodies.map((b) => b.bodyId)).toContain('p:survivor');
    } finally {
      c.close();
      direct.close();
      await rules.close();
      await first?.close();
      await second?.close();
      await storage.close();
    }
  });
});
