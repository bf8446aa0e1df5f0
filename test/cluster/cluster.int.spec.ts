// The whole command path in cluster mode, against the real services of tools/testenv: the
// example game and world go in with kubectl, the built apps run as processes configured only by
// their environment (as in their containers), Kafka carries the events and PostgreSQL the
// world registry and checkpoints. The test speaks to Anvil only as its users do: kubectl, a
// socket.io client with a JWT, a plain kafkajs consumer and SQL.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import jwt from 'jsonwebtoken';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { parse } from 'yaml';
import { readEnv } from '../../tools/testenv/lib/index.cjs';
import { kubectl, kubectlOk } from '../../tools/testenv/lib/kubectl.cjs';
import { AppProcess, poll } from './support/app-process';
import { ensureAppsBuilt, REPO } from './support/build';

const namespace = `e2e-${process.pid}`;
const worldId = `${namespace}:arena-eu-1`;
const topicPrefix = `e2e${process.pid}`;
const jwtSecret = 'cluster-e2e-secret-that-is-long-enough';

interface CloudEvent {
  id: string;
  type: string;
  subject: string;
  worldid?: string;
  tick?: number;
  data: { worldId: string; tick?: number; playerId?: string; bodies?: Array<{ id: string }> };
}
interface Delta {
  worldId: string;
  tick: number;
  bodies: Array<{ id: string; x: number; y: number }>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** deploy/examples with each engine module's endpoint pointed at the port its process listens on. */
function examples(ports: Record<string, number>): string {
  const dir = path.join(REPO, 'deploy', 'examples');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split(/^---\s*$/m)
        .map((doc) => parse(doc))
        .filter(Boolean),
    )
    .map((object) => {
      const port = object.kind === 'ModuleManifest' ? ports[object.spec.module] : undefined;
      if (port) object.spec.endpoint = { ...object.spec.endpoint, host: '127.0.0.1', port };
      return JSON.stringify(object);
    })
    .join('\n---\n');
}

const env = readEnv();
const apps: AppProcess[] = [];
let physics: AppProcess;
let physicsEnv: Record<string, string>;
let controller: AppProcess;
let controllerEnv: Record<string, string>;
let gatewayUrl: string;
let consumer: Consumer;
let db: Client;
const events: CloudEvent[] = [];

const world = async () =>
  JSON.parse(
    await kubectlOk(['get', 'worldinstance', 'arena-eu-1', '-n', namespace, '-o', 'json']),
  );
const checkpoints = async () =>
  (
    await db.query<{ tick: string }>(
      'SELECT tick FROM checkpoints WHERE world_id = $1 ORDER BY tick DESC',
      [worldId],
    )
  ).rows.map((r) => Number(r.tick));
const start = (app: AppProcess) => (apps.push(app), app);

beforeAll(async () => {
  ensureAppsBuilt();
  const [physicsPort, interactionPort, gatewayPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  // The engines and the gateway share one engine token, as through the Secret anvil-secrets.
  const common = {
    BUS: 'kafka',
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    BUS_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: 'info',
    ENGINE_TOKEN: 'cluster-e2e-engine-token',
  };

  await kubectlOk(['apply', '--server-side', '-f', path.join(REPO, 'deploy', 'crds')]);
  await kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/worldinstances.anvil.dev',
    'crd/capabilitybindings.anvil.dev',
  ]);
  await kubectlOk(['create', 'namespace', namespace]);
  await kubectlOk(['apply', '-n', namespace, '-f', '-'], {
    input: examples({ 'physics-rapier': physicsPort, 'interaction-engine': interactionPort }),
  });

  db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  const kafka = new Kafka({
    clientId: 'cluster-e2e-analytics',
    brokers: env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  consumer = kafka.consumer({ groupId: `analytics-${namespace}` });
  const admin = kafka.admin();
  await admin.connect();
  const topics = ['physics', 'interaction'].map((kind) => `${topicPrefix}.anvil.world.${kind}`);
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 3 })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as CloudEvent;
      if (event.data?.worldId === worldId && events.length < 50_000) events.push(event);
    },
  });

  controllerEnv = {
    KUBECONFIG: env.KUBECONFIG,
    NAMESPACE: namespace,
    LEADER_ELECTION: 'false',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    DATABASE_URL: env.DATABASE_URL,
    LOG_LEVEL: 'info',
  };
  controller = start(new AppProcess('resolver-controller', controllerEnv));
  physicsEnv = {
    ...common,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(physicsPort),
    DATABASE_URL: env.DATABASE_URL,
    CHECKPOINT_EVERY_TICKS: '15',
  };
  physics = start(new AppProcess('physics-engine', physicsEnv));
  // The fallback address is a dead port: the world's physics engine can only come from its binding.
  start(
    new AppProcess('interaction-engine', {
      ...common,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(interactionPort),
      PHYSICS_ENGINE_ADDRESS: '127.0.0.1:1',
    }),
  );
  const gateway = start(
    new AppProcess('gateway', {
      ...common,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      GATEWAY_ID: 'gateway-e2e',
      JWT_SECRET: jwtSecret,
      INTERACTION_ENGINE_ADDRESS: `127.0.0.1:${interactionPort}`,
      DATABASE_URL: env.DATABASE_URL,
    }),
  );
  await gateway.waitUntil(
    '/readyz answers 200',
    async () => (await fetch(`${gatewayUrl}/readyz`)).status === 200,
    90_000,
  );
}, 600_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await consumer?.disconnect();
  await db?.query('DELETE FROM worlds WHERE id = $1', [worldId]).catch(() => undefined);
  await db?.end();
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('cluster mode, end to end', () => {
  let socket: Socket;
  const deltas: Delta[] = [];

  afterAll(() => socket?.close());

  it('the controller writes the bindings and a Ready status, and publishes the world to the registry', async () => {
    await poll(
      'the world to be Ready',
      async () => (await world()).status?.phase === 'Ready',
      90_000,
    );
    const status = (await world()).status;
    expect(status.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]),
    );
    const bindings = JSON.parse(
      await kubectlOk(['get', 'capabilitybindings', '-n', namespace, '-o', 'json']),
    ).items;
    expect(bindings).toHaveLength(status.bindingCount);
    const physicsBinding = bindings.find(
      (b: { spec: { consumer: { module: string }; capabilityId: string } }) =>
        b.spec.consumer.module === 'interaction-engine' &&
        b.spec.capabilityId === 'physics.simulation',
    );
    expect(physicsBinding.spec.provider).toMatchObject({
      module: 'physics-rapier',
      version: '1.3.0',
    });
    const row = await poll(
      'the world row',
      async () =>
        (await db.query('SELECT phase, bindings FROM worlds WHERE id = $1', [worldId])).rows[0]
          ?.phase === 'Ready' &&
        (await db.query('SELECT bindings FROM worlds WHERE id = $1', [worldId])).rows[0],
    );
    expect(row.bindings).toContainEqual(
      expect.objectContaining({
        consumer: 'interaction-engine',
        capabilityId: 'physics.simulation',
        address: `127.0.0.1:${physicsBinding.spec.provider.endpoint.port}`,
      }),
    );
  });

  it('a socket.io player authenticates, joins (the interaction engine reaches physics through its binding) and sees its deltas', async () => {
    const token = jwt.sign({ sub: 'alice' }, jwtSecret, { algorithm: 'HS256', expiresIn: '10m' });
    socket = io(gatewayUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    socket.on('delta', (delta: Delta) => void (deltas.length < 10_000 && deltas.push(delta)));
    await new Promise<void>((resolve, reject) =>
      socket.once('connect', resolve).once('connect_error', reject),
    );
    const joined = await socket.timeout(30_000).emitWithAck('world:join', { worldId });
    expect(joined).toMatchObject({ ok: true, worldId, playerId: 'alice', bodyId: 'p:alice' });
    const ack = await socket
      .timeout(10_000)
      .emitWithAck('cmd', { seq: 1, worldId, type: 'move', dx: 3, dy: 0 });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    await poll(
      'a delta moving alice',
      async () =>
        deltas.some((d) => d.worldId === worldId && d.bodies.some((b) => b.id === 'p:alice')),
      30_000,
    );
  });

  it("a plain kafkajs consumer reads the world's CloudEvents", async () => {
    await poll(
      'the player-joined event and physics deltas on Kafka',
      async () =>
        events.some(
          (e) => e.type === 'dev.anvil.interaction.player-joined.v1' && e.data.playerId === 'alice',
        ) &&
        events.some(
          (e) =>
            e.type === 'dev.anvil.physics.delta.v1' &&
            e.data.bodies?.some((b) => b.id === 'p:alice'),
        ),
      60_000,
    );
    const delta = events.find((e) => e.type === 'dev.anvil.physics.delta.v1');
    expect(delta).toMatchObject({
      specversion: '1.0',
      source: expect.any(String),
      id: expect.any(String),
      data: { worldId },
    });
  });

  it('the physics engine checkpoints the world in PostgreSQL', async () => {
    const joinedAt = Math.min(
      ...deltas.filter((d) => d.bodies.some((b) => b.id === 'p:alice')).map((d) => d.tick),
    );
    const [latest] = await poll(
      'a checkpoint taken after alice joined',
      async () => {
        const ticks = await checkpoints();
        return ticks[0] > joinedAt && ticks;
      },
      30_000,
    );
    expect(latest).toBeGreaterThan(joinedAt);
  });

  it('a killed physics engine restarts from its checkpoint and the player keeps playing', async () => {
    const [checkpointTick] = await checkpoints();
    await physics.stop('SIGKILL');
    physics = start(new AppProcess('physics-engine', physicsEnv));
    // Commands fail while it is down (ENGINE_UNAVAILABLE); the player retries, bounded.
    let seq = 1;
    const ack = await poll(
      'a command accepted after the restart',
      async () => {
        const answer = await socket
          .timeout(10_000)
          .emitWithAck('cmd', { seq: ++seq, worldId, type: 'move', dx: -3, dy: 0 });
        return answer.ok === true && answer;
      },
      90_000,
      500,
    );
    expect(ack.tick).toBeGreaterThan(checkpointTick);
    expect(physics.log).toMatch(new RegExp(`world ${worldId}: restored checkpoint of tick \\d+`));
    const restoredTick = Number(
      new RegExp(`restored checkpoint of tick (\\d+)`).exec(physics.log)?.[1],
    );
    expect(restoredTick).toBeGreaterThanOrEqual(checkpointTick);
    const seen = deltas.length;
    await poll(
      'deltas of alice from the restarted engine',
      async () =>
        deltas
          .slice(seen)
          .some((d) => d.tick > restoredTick && d.bodies.some((b) => b.id === 'p:alice')),
      30_000,
    );
  });

  it('a world deleted while the controller was down leaves the registry when a controller leads again', async () => {
    await controller.stop();
    await kubectlOk(['delete', 'worldinstance', 'arena-eu-1', '-n', namespace, '--wait=false']);
    controller = start(new AppProcess('resolver-controller', controllerEnv));
    await poll(
      'the world row to be removed',
      async () => (await db.query('SELECT 1 FROM worlds WHERE id = $1', [worldId])).rowCount === 0,
      60_000,
    );
    // Players can no longer join it.
    const bob = io(gatewayUrl, {
      auth: { token: jwt.sign({ sub: 'bob' }, jwtSecret, { expiresIn: '10m' }) },
      transports: ['websocket'],
      reconnection: false,
    });
    try {
      await new Promise<void>((resolve, reject) =>
        bob.once('connect', resolve).once('connect_error', reject),
      );
      await expect(
        bob.timeout(10_000).emitWithAck('world:join', { worldId }),
      ).resolves.toMatchObject({ ok: false, code: 'WORLD_NOT_FOUND' });
    } finally {
      bob.close();
    }
  });
});
