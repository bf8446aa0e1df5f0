// The whole command path in cluster mode, against the real services of tools/testenv: the
// example games (the arena and tag) and their worlds go in with kubectl, the built apps run as
// processes configured only by their environment (as in their containers): one controller, one
// physics engine shared by both games, each game's module (interaction engine, tag game), the
// analytics module and one gateway for every world. Kafka carries the events and PostgreSQL the
// world registry, checkpoints and figures. The test speaks to Anvil only as its users do:
// kubectl, socket.io clients with a JWT, a plain kafkajs consumer, HTTP and SQL.
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
import { freePort } from './support/ports';

const namespace = `e2e-${process.pid}`;
const worldId = `${namespace}:arena-eu-1`;
const tagWorldId = `${namespace}:tag-eu-1`;
const topicPrefix = `e2e${process.pid}`;
const jwtSecret = 'cluster-e2e-secret-that-is-long-enough';

// The CloudEvents sources of the modules, as docs/events.md names them.
const SOURCES = {
  physics: '/anvil/physics-engine',
  arena: '/anvil/interaction-engine',
  tag: '/anvil/tag-game',
};

interface CloudEvent {
  id: string;
  type: string;
  source: string;
  subject: string;
  worldid?: string;
  tick?: number;
  data: {
    worldId: string;
    tick?: number;
    playerId?: string;
    bodies?: Array<{ id: string }>;
    module?: string;
    state?: TagState;
    taggerId?: string;
    taggedId?: string;
  };
}
interface Delta {
  worldId: string;
  tick: number;
  bodies: Array<{ id: string; x: number; y: number }>;
}
interface TagState {
  it?: string;
  scores: Record<string, number>;
  tags: number;
}
interface WorldState {
  worldId: string;
  module: string;
  tick: number;
  state: TagState;
}
interface BodySnapshot {
  id: string;
  hw: number;
  x: number;
  y: number;
}
interface Row {
  phase: string;
  bindings: Array<{ capabilityId: string; consumer: string; provider: string; address: string }>;
}

/** deploy/examples with each module's endpoint pointed at the port its process listens on. */
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

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true)).once('error', () => done(false));
  });
}

const env = readEnv();
const apps: AppProcess[] = [];
let physics: AppProcess;
let physicsEnv: Record<string, string>;
let controller: AppProcess;
let controllerEnv: Record<string, string>;
let interaction: AppProcess;
let tagGame: AppProcess;
let gateway: AppProcess;
let ports: Record<'physics' | 'interaction' | 'tag' | 'analytics' | 'gateway', number>;
let gatewayUrl: string;
let analyticsUrl: string;
/** What every engine and the gateway get, as from the ConfigMap and Secret. */
let common: Record<string, string>;
let consumer: Consumer;
let db: Client;
const events: CloudEvent[] = [];

const world = async (name = 'arena-eu-1') =>
  JSON.parse(await kubectlOk(['get', 'worldinstance', name, '-n', namespace, '-o', 'json']));
const worldRow = async (id: string) =>
  (await db.query<Row>('SELECT phase, bindings FROM worlds WHERE id = $1', [id])).rows[0];
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
  ports = {
    physics: await freePort(),
    interaction: await freePort(),
    tag: await freePort(),
    analytics: await freePort(),
    gateway: await freePort(),
  };
  gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  analyticsUrl = `http://127.0.0.1:${ports.analytics}`;
  // The engines and the gateway share one engine token, as through the Secret anvil-secrets.
  common = {
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
    input: examples({
      'physics-rapier': ports.physics,
      'interaction-engine': ports.interaction,
      'tag-game': ports.tag,
      'analytics-kafka': ports.analytics,
    }),
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
  const topic = (kind: string) => `${topicPrefix}.anvil.world.${kind}`;
  // The commands topic is the analytics module's (the command log); this test reads the others.
  await admin.createTopics({
    topics: ['physics', 'interaction', 'commands'].map((kind) => ({
      topic: topic(kind),
      numPartitions: 3,
    })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  await consumer.connect();
  await consumer.subscribe({
    topics: [topic('physics'), topic('interaction')],
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as CloudEvent;
      const ours = event.data?.worldId === worldId || event.data?.worldId === tagWorldId;
      if (ours && events.length < 50_000) events.push(event);
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
    GRPC_PORT: String(ports.physics),
    DATABASE_URL: env.DATABASE_URL,
    CHECKPOINT_EVERY_TICKS: '15',
  };
  physics = start(new AppProcess('physics-engine', physicsEnv));
  // Both games' fallback address is a dead port: a world's physics engine can only come from its
  // binding. MODULE_NAME is left at each app's default, its ModuleManifest's module.
  interaction = start(
    new AppProcess('interaction-engine', {
      ...common,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(ports.interaction),
      PHYSICS_ENGINE_ADDRESS: '127.0.0.1:1',
    }),
  );
  tagGame = start(
    new AppProcess('tag-game', {
      ...common,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(ports.tag),
      PHYSICS_ENGINE_ADDRESS: '127.0.0.1:1',
    }),
  );
  const analytics = start(
    new AppProcess('analytics', {
      HOST: '127.0.0.1',
      PORT: String(ports.analytics),
      BUS: 'kafka',
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      BUS_TOPIC_PREFIX: topicPrefix,
      DATABASE_URL: env.DATABASE_URL,
      ANALYTICS_GROUP: `analytics-${namespace}`,
      LOG_LEVEL: 'info',
    }),
  );
  // The gateway's default game module stays the interaction engine: tag-eu-1's commands can only
  // reach the tag game through the world's entry binding.
  gateway = start(
    new AppProcess('gateway', {
      ...common,
      HOST: '127.0.0.1',
      PORT: String(ports.gateway),
      GATEWAY_ID: 'gateway-e2e',
      JWT_SECRET: jwtSecret,
      INTERACTION_ENGINE_ADDRESS: `127.0.0.1:${ports.interaction}`,
      DATABASE_URL: env.DATABASE_URL,
    }),
  );
  await Promise.all([
    gateway.waitUntil(
      '/readyz answers 200',
      async () => (await fetch(`${gatewayUrl}/readyz`)).status === 200,
      90_000,
    ),
    tagGame.waitUntil('its gRPC port accepts connections', () => listening(ports.tag), 90_000),
    analytics.waitUntil(
      '/readyz answers 200',
      async () => (await fetch(`${analyticsUrl}/readyz`)).status === 200,
      90_000,
    ),
  ]);
}, 600_000);

afterAll(async () => {
  // The gateway first: its players leave their worlds while the engines still answer.
  await gateway?.stop();
  await Promise.all(apps.map((app) => app.stop()));
  // CLUSTER_E2E_LOG_DIR=<dir> keeps what each process printed (the tail), to explain a failure.
  const logDir = process.env.CLUSTER_E2E_LOG_DIR;
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    apps.forEach((app, i) => fs.writeFileSync(path.join(logDir, `${i}-${app.app}.log`), app.log));
  }
  await consumer?.disconnect();
  // A physics engine that stops leaves its worlds' leases to be taken over: without them gone,
  // the next run's physics engine would bring these worlds back (and their registry rows).
  const ids = [worldId, tagWorldId];
  for (const table of ['world_leases', 'checkpoints'])
    await db?.query(`DELETE FROM ${table} WHERE world_id = ANY($1)`, [ids]).catch(() => undefined);
  await db?.query('DELETE FROM worlds WHERE id = ANY($1)', [ids]).catch(() => undefined);
  for (const table of [
    'analytics_worlds',
    'analytics_applied_events',
    'analytics_open_players',
    'analytics_player_buckets',
    'analytics_command_seconds',
    'analytics_sessions',
  ])
    await db?.query(`DELETE FROM ${table} WHERE world_id = ANY($1)`, [ids]).catch(() => undefined);
  await db?.end();
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

/** A socket.io player (the JWT's `sub`), what the gateway pushed to it, and its next `seq`. */
class Player {
  readonly deltas: Delta[] = [];
  readonly states: WorldState[] = [];
  private seq = 0;

  private constructor(
    readonly id: string,
    readonly socket: Socket,
  ) {
    socket.on(
      'delta',
      (delta: Delta) => void (this.deltas.length < 10_000 && this.deltas.push(delta)),
    );
    socket.on(
      'world:state',
      (state: WorldState) => void (this.states.length < 1_000 && this.states.push(state)),
    );
  }

  static async connect(id: string): Promise<Player> {
    const token = jwt.sign({ sub: id }, jwtSecret, { algorithm: 'HS256', expiresIn: '10m' });
    const player = new Player(
      id,
      io(gatewayUrl, { auth: { token }, transports: ['websocket'], reconnection: false }),
    );
    await new Promise<void>((resolve, reject) =>
      player.socket.once('connect', resolve).once('connect_error', reject),
    );
    return player;
  }

  join(world: string) {
    return this.socket.timeout(30_000).emitWithAck('world:join', { worldId: world });
  }

  snapshot(world: string) {
    return this.socket.timeout(10_000).emitWithAck('world:snapshot', { worldId: world });
  }

  cmd(world: string, command: Record<string, unknown>) {
    return this.socket
      .timeout(10_000)
      .emitWithAck('cmd', { seq: ++this.seq, worldId: world, ...command });
  }

  /** The latest game state the gateway pushed of `world`. */
  state(world: string): WorldState | undefined {
    return this.states.filter((s) => s.worldId === world).at(-1);
  }

  close(): void {
    this.socket.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cluster mode, end to end', () => {
  const players: Player[] = [];
  let alice: Player;
  let tina: Player;
  let tom: Player;
  const connect = async (id: string) => {
    const player = await Player.connect(id);
    players.push(player);
    return player;
  };

  afterAll(() => players.forEach((player) => player.close()));

  it("the controller resolves both games: bindings, Ready status and registry rows naming each world's game module", async () => {
    for (const name of ['arena-eu-1', 'tag-eu-1'])
      await poll(
        `${name} to be Ready`,
        async () => (await world(name)).status?.phase === 'Ready',
        90_000,
      );
    type Binding = {
      spec: {
        capabilityId: string;
        consumer: { module: string };
        provider: { module: string; version: string; endpoint: { host?: string; port: number } };
      };
    };
    const bindingsOf = async (name: string): Promise<Binding[]> =>
      JSON.parse(
        await kubectlOk([
          'get',
          'capabilitybindings',
          '-n',
          namespace,
          '-l',
          `anvil.dev/world=${name}`,
          '-o',
          'json',
        ]),
      ).items;
    const physicsOf = (bindings: Binding[]) =>
      bindings.find((b) => b.spec.capabilityId === 'physics.simulation');

    const arena = (await world('arena-eu-1')).status;
    expect(arena.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]),
    );
    const arenaBindings = await bindingsOf('arena-eu-1');
    expect(arenaBindings).toHaveLength(arena.bindingCount);
    expect(arenaBindings.map((b) => b.spec.provider.module).sort()).toEqual([
      'analytics-kafka',
      'physics-rapier',
    ]);
    expect(physicsOf(arenaBindings)?.spec).toMatchObject({
      consumer: { module: 'interaction-engine' },
      provider: { module: 'physics-rapier', version: '1.3.0', endpoint: { port: ports.physics } },
    });

    const tag = (await world('tag-eu-1')).status;
    expect(tag.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]),
    );
    const tagBindings = await bindingsOf('tag-eu-1');
    expect(tagBindings).toHaveLength(tag.bindingCount);
    expect(tagBindings.map((b) => b.spec.provider.module).sort()).toEqual([
      'analytics-kafka',
      'physics-rapier',
    ]);
    // The same physics module, for the tag game this time.
    expect(physicsOf(tagBindings)?.spec).toMatchObject({
      consumer: { module: 'tag-game' },
      provider: { module: 'physics-rapier', version: '1.3.0', endpoint: { port: ports.physics } },
    });

    // Each world's registry row names its physics engine and, for the gateway, its game module.
    const rows = await poll(
      'both world rows to be Ready',
      async () => {
        const [arenaRow, tagRow] = [await worldRow(worldId), await worldRow(tagWorldId)];
        return arenaRow?.phase === 'Ready' && tagRow?.phase === 'Ready' && { arenaRow, tagRow };
      },
      30_000,
    );
    expect(rows.arenaRow.bindings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          consumer: 'interaction-engine',
          capabilityId: 'physics.simulation',
          address: `127.0.0.1:${ports.physics}`,
        }),
        expect.objectContaining({
          consumer: 'gateway',
          capabilityId: 'game.interaction',
          provider: 'interaction-engine',
          address: `127.0.0.1:${ports.interaction}`,
        }),
      ]),
    );
    expect(rows.tagRow.bindings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          consumer: 'tag-game',
          capabilityId: 'physics.simulation',
          address: `127.0.0.1:${ports.physics}`,
        }),
        expect.objectContaining({
          consumer: 'gateway',
          capabilityId: 'game.interaction',
          provider: 'tag-game',
          address: `127.0.0.1:${ports.tag}`,
        }),
      ]),
    );
  });

  it('a socket.io player authenticates, joins (the interaction engine reaches physics through its binding) and sees its deltas', async () => {
    alice = await connect('alice');
    const joined = await alice.join(worldId);
    expect(joined).toMatchObject({ ok: true, worldId, playerId: 'alice', bodyId: 'p:alice' });
    const ack = await alice.cmd(worldId, { type: 'move', dx: 3, dy: 0 });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    await poll(
      'a delta moving alice',
      async () =>
        alice.deltas.some((d) => d.worldId === worldId && d.bodies.some((b) => b.id === 'p:alice')),
      30_000,
    );
  });

  it("the same gateway sends tag-eu-1's players to the tag game, the module its game binds", async () => {
    tina = await connect('tina');
    tom = await connect('tom');
    expect(await tina.join(tagWorldId)).toMatchObject({
      ok: true,
      worldId: tagWorldId,
      playerId: 'tina',
      bodyId: 'p:tina',
    });
    expect(await tom.join(tagWorldId)).toMatchObject({
      ok: true,
      worldId: tagWorldId,
      playerId: 'tom',
      bodyId: 'p:tom',
    });
    // Tag's rules answer, not the arena's (which takes any interaction with a player): only "it"
    // may tag, and the first to join (tina) is "it".
    const refused = await tom.cmd(tagWorldId, { type: 'interact', targetId: 'tina' });
    expect(refused).toMatchObject({
      ok: false,
      code: 'ENGINE_REJECTED',
      engineCode: 'FAILED_PRECONDITION',
    });
    expect(refused.message).toMatch(/"tom" is not it: "tina" is/);
    // The gateway went to each game module at the address its world's entry binding names.
    const connections = gateway.log
      .split('\n')
      .filter((line) => line.includes('connecting to a game module'));
    expect(connections.join('\n')).toContain(`127.0.0.1:${ports.tag}`);
    expect(connections.join('\n')).toContain(`127.0.0.1:${ports.interaction}`);
    // Each module published its own world's player events and nothing of the other world's.
    await poll(
      "tina's and tom's player-joined events",
      async () =>
        ['tina', 'tom'].every((id) =>
          events.some(
            (e) =>
              e.type === 'dev.anvil.interaction.player-joined.v1' &&
              e.data.worldId === tagWorldId &&
              e.data.playerId === id,
          ),
        ),
      30_000,
    );
    const interactionEvents = events.filter((e) => e.type.startsWith('dev.anvil.interaction.'));
    expect(
      interactionEvents.filter((e) => e.data.worldId === tagWorldId).map((e) => e.source),
    ).toEqual(expect.arrayContaining([SOURCES.tag]));
    expect(
      interactionEvents.filter((e) => e.data.worldId === tagWorldId && e.source !== SOURCES.tag),
    ).toEqual([]);
    expect(
      interactionEvents.filter((e) => e.data.worldId === worldId && e.source !== SOURCES.arena),
    ).toEqual([]);
    // And neither engine's log mentions the other game's world.
    expect(interaction.log).not.toContain(tagWorldId);
    expect(tagGame.log).not.toContain(worldId);
    expect(tagGame.log).toMatch(/serving EngineService on 127\.0\.0\.1:\d+ as module tag-game/);
  });

  it('the shared physics engine runs both worlds', async () => {
    const deltaOf = (world: string, body: string) =>
      events.find(
        (e) =>
          e.type === 'dev.anvil.physics.delta.v1' &&
          e.data.worldId === world &&
          e.data.bodies?.some((b) => b.id === body),
      );
    const found = await poll(
      'physics deltas of alice (arena-eu-1), tina and tom (tag-eu-1) on Kafka',
      async () => {
        const all = [
          deltaOf(worldId, 'p:alice'),
          deltaOf(tagWorldId, 'p:tina'),
          deltaOf(tagWorldId, 'p:tom'),
        ];
        return all.every(Boolean) && (all as CloudEvent[]);
      },
      30_000,
    );
    for (const delta of found) expect(delta.source).toBe(SOURCES.physics);
    // The tag players see each other's bodies move, as the arena's player sees its own.
    await poll(
      'a delta of tom reaching tina',
      async () =>
        tina.deltas.some((d) => d.worldId === tagWorldId && d.bodies.some((b) => b.id === 'p:tom')),
      30_000,
    );
  });

  it("a plain kafkajs consumer reads both worlds' CloudEvents and tells the two games apart", async () => {
    await poll(
      "alice's player-joined event and physics deltas on Kafka",
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
      source: SOURCES.physics,
      id: expect.any(String),
      data: { worldId: expect.any(String) },
    });
    const joinedBy = (id: string) =>
      events.find(
        (e) => e.type === 'dev.anvil.interaction.player-joined.v1' && e.data.playerId === id,
      );
    expect(joinedBy('alice')).toMatchObject({
      source: SOURCES.arena,
      subject: worldId,
      data: { worldId },
    });
    expect(joinedBy('tina')).toMatchObject({
      source: SOURCES.tag,
      subject: tagWorldId,
      data: { worldId: tagWorldId },
    });
    // Game state: the tag game publishes its own; the arena has none.
    const gameStates = events.filter((e) => e.type === 'dev.anvil.interaction.game-state.v1');
    expect(gameStates.length).toBeGreaterThan(0);
    for (const e of gameStates)
      expect(e).toMatchObject({
        source: SOURCES.tag,
        subject: tagWorldId,
        data: { worldId: tagWorldId, module: 'tag-game' },
      });
  });

  it('game state reaches the players: "it" walks up to the other player and tags, "it" passes and the tagger scores', async () => {
    await poll(
      'a world:state naming tina "it" with both players',
      async () => tina.state(tagWorldId)?.state.scores.tom !== undefined,
      30_000,
    );
    expect(tina.state(tagWorldId)).toMatchObject({
      worldId: tagWorldId,
      module: 'tag-game',
      state: { it: 'tina', scores: { tina: 0, tom: 0 }, tags: 0 },
    });

    // tina walks towards tom, reading both bodies from snapshots, and tags once within reach
    // (TAG_REACH_RADII: 3 player radii, centre to centre). Bounded: 20 s.
    const deadline = Date.now() + 20_000;
    let tagged: { ok: boolean } | undefined;
    let refusal: unknown;
    let moves = 0;
    let heading = 0;
    let last = Infinity;
    for (let i = 0; i < 100 && !tagged && Date.now() < deadline; i++) {
      const snapshot = await tina.snapshot(tagWorldId);
      const [me, other] = ['p:tina', 'p:tom'].map((id) =>
        (snapshot.bodies as BodySnapshot[] | undefined)?.find((b) => b.id === id),
      );
      if (me && other) {
        const distance = Math.hypot(other.x - me.x, other.y - me.y);
        if (distance <= 2.5 * me.hw) {
          const ack = await tina.cmd(tagWorldId, { type: 'interact', targetId: 'tom' });
          if (ack.ok) tagged = ack;
          else refusal = ack;
        } else {
          const dx = Math.sign(other.x - me.x) * 1.5;
          // (Again when it stalled: a rolling ball slows down.)
          if (dx !== heading || distance >= last) {
            const ack = await tina.cmd(tagWorldId, { type: 'move', dx, dy: 0 });
            if (ack.ok) [heading, moves] = [dx, moves + 1];
          }
          last = distance;
        }
      }
      if (!tagged) await sleep(150);
    }
    await tina.cmd(tagWorldId, { type: 'move', dx: 0, dy: 0 });
    expect({ tagged, refusal }).toMatchObject({ tagged: { ok: true } });
    expect(moves).toBeGreaterThan(0);

    // Both players see "it" pass to tom and tina's point.
    for (const player of [tina, tom])
      await poll(
        `a world:state naming tom "it" reaching ${player.id}`,
        async () => player.state(tagWorldId)?.state.it === 'tom',
        30_000,
      );
    expect(tina.state(tagWorldId)?.state).toEqual({
      it: 'tom',
      scores: { tina: 1, tom: 0 },
      tags: 1,
    });
    // A join answers with the latest game state (tom is in the world: a fresh snapshot).
    expect(await tom.join(tagWorldId)).toMatchObject({
      ok: true,
      gameState: { worldId: tagWorldId, module: 'tag-game', state: { it: 'tom' } },
    });

    const taggedEvent = await poll(
      'the tagged event on Kafka',
      async () => events.find((e) => e.type === 'dev.anvil.tag.tagged.v1'),
      30_000,
    );
    expect(taggedEvent).toMatchObject({
      source: SOURCES.tag,
      subject: tagWorldId,
      data: { worldId: tagWorldId, taggerId: 'tina', taggedId: 'tom' },
    });
  });

  it('the analytics module counts the players of both worlds', async () => {
    const figures = (world: string) =>
      poll(
        `${world}'s figures to count its joins`,
        async () => {
          const response = await fetch(
            `${analyticsUrl}/worlds/${encodeURIComponent(world)}/figures`,
          );
          const body = (await response.json()) as {
            worldId: string;
            players: { now: number };
            totals: { joins: number };
          };
          const joins = world === worldId ? 1 : 2;
          return response.status === 200 && body.totals.joins >= joins && body;
        },
        60_000,
        500,
      );
    const [arena, tag] = [await figures(worldId), await figures(tagWorldId)];
    expect(arena).toMatchObject({ worldId, players: { now: 1 } });
    expect(arena.totals.joins).toBeGreaterThanOrEqual(1);
    expect(tag).toMatchObject({ worldId: tagWorldId, players: { now: 2 } });
    expect(tag.totals.joins).toBeGreaterThanOrEqual(2);
  });

  it("publishing tag-game 1.1.0 moves the tag world onto that version's process, its players still playing", async () => {
    // The newer version runs next to the old one (in a cluster: its own workload).
    const port = await freePort();
    const newer = start(
      new AppProcess('tag-game', {
        ...common,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        PHYSICS_ENGINE_ADDRESS: '127.0.0.1:1',
      }),
    );
    await newer.waitUntil('its gRPC port accepts connections', () => listening(port), 90_000);
    // The example's manifest, published again as 1.1.0 (the same rules, a newer build).
    const published = fs
      .readFileSync(path.join(REPO, 'deploy', 'examples', 'tag-game.yaml'), 'utf8')
      .split(/^---\s*$/m)
      .map((doc) => parse(doc))
      .find((o) => o?.kind === 'ModuleManifest');
    const manifest = {
      ...published,
      metadata: { name: 'tag-game-1.1.0' },
      spec: {
        ...published.spec,
        version: '1.1.0',
        image: 'ghcr.io/anvil-dev/tag-game:1.1.0',
        endpoint: { host: '127.0.0.1', port, protocol: 'grpc' },
      },
    };
    await kubectlOk(['apply', '-n', namespace, '-f', '-'], { input: JSON.stringify(manifest) });
    // The controller selects the newer version (the game asks ^1.0.0) and rewrites the entry.
    await poll(
      "the tag world's entry binding to name the newer process",
      async () => {
        const row = (await db.query('SELECT bindings FROM worlds WHERE id = $1', [tagWorldId]))
          .rows[0];
        return row?.bindings.some(
          (b: { consumer: string; address: string }) =>
            b.consumer === 'gateway' && b.address === `127.0.0.1:${port}`,
        );
      },
      60_000,
    );
    // The gateway re-reads its worlds' routes (ROUTE_REFRESH_MS): tom's next commands go to
    // 1.1.0, which starts the world there and puts tom back on his body.
    const ack = await poll(
      'a command of tom served by tag-game 1.1.0',
      async () => {
        const answer = await tom.cmd(tagWorldId, { type: 'move', dx: 0.5, dy: 0 });
        return answer.ok === true && newer.log.includes(tagWorldId) && answer;
      },
      30_000,
      500,
    );
    expect(ack).toMatchObject({ ok: true, tick: expect.any(Number) });
    expect(gateway.log).toMatch(/the world's game module moved: its commands follow/);
    const bindings = JSON.parse(
      await kubectlOk([
        'get',
        'capabilitybindings',
        '-n',
        namespace,
        '-l',
        'anvil.dev/world=tag-eu-1',
        '-o',
        'json',
      ]),
    ).items as Array<{ spec: { consumer: { module: string; version: string } } }>;
    expect(bindings.map((b) => `${b.spec.consumer.module}@${b.spec.consumer.version}`)).toEqual([
      'tag-game@1.1.0',
      'tag-game@1.1.0',
    ]);
  });

  it('the physics engine checkpoints the world in PostgreSQL', async () => {
    const joinedAt = Math.min(
      ...alice.deltas.filter((d) => d.bodies.some((b) => b.id === 'p:alice')).map((d) => d.tick),
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
    const ack = await poll(
      'a command accepted after the restart',
      async () => {
        const answer = await alice.cmd(worldId, { type: 'move', dx: -3, dy: 0 });
        return answer.ok === true && answer;
      },
      90_000,
      500,
    );
    expect(ack.tick).toBeGreaterThan(checkpointTick);
    // (The physics engine runs tag-eu-1 too: read the arena's line.)
    const restored = new RegExp(`world ${worldId}: restored checkpoint of tick (\\d+)`);
    expect(physics.log).toMatch(restored);
    const restoredTick = Number(restored.exec(physics.log)?.[1]);
    expect(restoredTick).toBeGreaterThanOrEqual(checkpointTick);
    const seen = alice.deltas.length;
    await poll(
      'deltas of alice from the restarted engine',
      async () =>
        alice.deltas
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
