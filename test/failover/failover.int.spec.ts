// Failover end to end, against the real services of tools/testenv: 30 arena worlds go in with
// kubectl, the built apps run as processes (one controller, 3 physics replicas, 2 interaction
// engine replicas, 2 gateways), each module's replicas behind a TCP proxy that stands in for its
// Kubernetes Service. 300 socket.io bots play. One physics replica is SIGKILLed, another is
// drained (SIGTERM: it hands its worlds over), physics is upgraded to a newer build (its
// replicas start, the last old one drains), then one interaction engine is SIGKILLed: every
// world they ran goes on elsewhere, no bot is disconnected or sees an error,
// and every acknowledged command is in the world's command log, which replays to the owner's
// state hash. Recovery per world is reported (signal -> the new owner's first delta), and for
// the physics drain and upgrade the longest gap between two deltas any player saw.
import * as fs from 'node:fs';
import * as path from 'node:path';
import jwt from 'jsonwebtoken';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { parse } from 'yaml';
import { fixKafkajsRequestQueue } from '@anvil/bus/kafka';
import { EngineClient, playerBodyId, worldSettingsToWire } from '@anvil/engine-contract';
import { gameRole, PHYSICS_ROLE } from '@anvil/ownership';
import { readEnv } from '../../tools/testenv/lib/index.cjs';
import { kubectl, kubectlOk } from '../../tools/testenv/lib/kubectl.cjs';
import { startServiceProxy, type ServiceProxy } from '../../tools/embedded/src/service-proxy';
import type { CommandLogEntry } from '../../apps/physics-engine/src/log/command-log-entry';
import { entriesAfter, replay } from '../../apps/physics-engine/src/log/replay';
import { loadRapier } from '../../apps/physics-engine/src/simulation/rapier';
import { decodeState } from '../../apps/physics-engine/src/simulation/state-codec';
import { WorldSimulation } from '../../apps/physics-engine/src/simulation/world-simulation';
import { readTopic } from '../../apps/physics-engine/src/testing/engine-process';
import { AppProcess, poll } from '../cluster/support/app-process';
import { ensureAppsBuilt, REPO } from '../cluster/support/build';
import { freePort } from '../cluster/support/ports';

// The test's own Kafka clients share the machine with the apps: without kafkajs's idle timer loop.
fixKafkajsRequestQueue();

jest.setTimeout(900_000);

const WORLDS = 30;
const BOTS = 300;
const PHYSICS_REPLICAS = 3;
const GAME_REPLICAS = 2;
const GATEWAYS = 2;
/** Each bot sends a move this often. */
const COMMAND_EVERY_MS = 1_000;
// Ten apps, Kafka, PostgreSQL, the API server and 300 clients share two cores here: a lower
// tick rate keeps the fan-out (every bot gets its world's deltas) from starving the lease
// renewals, which is what this test is about. Game rates are bench/commands' business.
const HZ = 10;
// The engines' lease: a dead replica's worlds wait out its TTL, so it sets the floor of the
// failover time. The engines' default; FAILOVER_E2E_LEASE_TTL_MS measures another (renewals
// every fourth of it, as by default).
const LEASE_TTL_MS = Number(process.env.FAILOVER_E2E_LEASE_TTL_MS ?? 1_000);
const LEASE = {
  WORLD_LEASE_TTL_MS: String(LEASE_TTL_MS),
  WORLD_LEASE_RENEW_MS: String(Math.round(LEASE_TTL_MS / 4)),
};
const GAME_ROLE = gameRole('interaction-engine', '1.0.0');

const namespace = `failover-${process.pid}`;
const topicPrefix = `fo${process.pid}`;
const jwtSecret = 'failover-e2e-secret-that-is-long-enough';
const engineToken = 'failover-e2e-engine-token';
const worldIds = Array.from({ length: WORLDS }, (_, i) => `${namespace}:arena-${i}`);
const env = readEnv();
/** A schema of its own: a run stopped halfway leaves orphaned leases that no later run takes over. */
const schema = `anvil_failover_${process.pid}_${Date.now().toString(36)}`;
const databaseUrl = (() => {
  const url = new URL(env.DATABASE_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
})();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A module's replicas: processes, and the proxy in front of them (its Service). */
class Replicas {
  readonly processes = new Map<string, { app: AppProcess; address: string }>();
  private next = 0;
  proxy!: ServiceProxy;

  async listen(): Promise<void> {
    this.proxy = await startServiceProxy({ host: '127.0.0.1', port: 0, pick: () => this.pick() });
  }

  /** Round robin over the replicas still running, as a Service's endpoints. */
  private pick(): string | undefined {
    const live = [...this.processes.values()].filter((p) => p.app.running);
    return live.length > 0 ? live[this.next++ % live.length].address : undefined;
  }

  byAddress(address: string): string | undefined {
    return [...this.processes].find(([, p]) => p.address === address)?.[0];
  }
}

/** deploy/examples (all but the tag game) with the modules' endpoints at their proxies, and WORLDS worlds. */
function manifests(endpoints: Record<string, number>): string {
  const dir = path.join(REPO, 'deploy', 'examples');
  const objects = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'tag-game.yaml')
    .sort()
    .flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split(/^---\s*$/m)
        .map((doc) => parse(doc))
        .filter(Boolean),
    );
  const template = objects.find((o) => o.kind === 'WorldInstance');
  const worlds = worldIds.map((id) => ({
    ...template,
    metadata: { name: id.split(':')[1] },
    spec: { ...template.spec, shards: 1 },
  }));
  return [...objects.filter((o) => o.kind !== 'WorldInstance'), ...worlds]
    .map((object) => {
      if (object.kind === 'ModuleManifest') {
        // Modules without a process here (the legacy physics, analytics) point at a dead port.
        const port = endpoints[object.spec.module] ?? 1;
        object.spec.endpoint = { ...object.spec.endpoint, host: '127.0.0.1', port };
      }
      return JSON.stringify(object);
    })
    .join('\n---\n');
}

/** A gateway answer: `{ ok: true, tick }`, or `{ ok: false, code, message }`. */
interface Ack {
  ok: boolean;
  tick?: number;
  code?: string;
  message?: string;
}

/** A bot: one socket.io player in one world, moving every COMMAND_EVERY_MS. */
class Bot {
  readonly acks: Array<{ tick: number; at: number }> = [];
  readonly errors: Array<{ code: string; message: string; at: number }> = [];
  disconnects = 0;
  lastDeltaAt = 0;
  private lastDeltaTick = -1;
  /** The longest wait between two deltas since `watchGaps`, in ms. */
  longestGap = 0;
  /**
   * The longest stall of the world's clock since `watchGaps`, in ms: a wait between two deltas
   * less the ticks between them that had nothing to show (the arena's deltas are not sent every
   * tick, only when a body moved), i.e. the longest gap a player would have seen had every tick
   * moved something. One tick when nothing stalls.
   */
  longestStall = 0;
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;

  constructor(
    readonly id: string,
    readonly worldId: string,
    readonly socket: Socket,
  ) {
    socket.on('disconnect', () => this.disconnects++);
    socket.on('delta', (delta: { tick: number }) => {
      const now = Date.now();
      if (this.lastDeltaAt > 0) {
        const gap = now - this.lastDeltaAt;
        const quietTicks = Math.max(0, delta.tick - this.lastDeltaTick - 1);
        this.longestGap = Math.max(this.longestGap, gap);
        this.longestStall = Math.max(this.longestStall, gap - quietTicks * TICK_MS);
      }
      this.lastDeltaAt = now;
      this.lastDeltaTick = delta.tick;
    });
  }

  watchGaps(): void {
    this.longestGap = 0;
    this.longestStall = 0;
  }

  static async connect(id: string, worldId: string, gatewayUrl: string): Promise<Bot> {
    const token = jwt.sign({ sub: id }, jwtSecret, { algorithm: 'HS256', expiresIn: '30m' });
    const socket = io(gatewayUrl, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) =>
      socket.once('connect', resolve).once('connect_error', reject),
    );
    const bot = new Bot(id, worldId, socket);
    // A world's first join starts it, which on replicas whose Kafka clients are still cold can
    // outlast the gateway's wait (ENGINE_UNAVAILABLE), or find the world lost again by a starved
    // replica that just started it (WORLD_NOT_READY): the bot tries again, as a client would.
    // Failover, below, allows no such answer.
    for (let attempt = 1; ; attempt++) {
      const joined = (await socket.timeout(60_000).emitWithAck('world:join', { worldId })) as Ack;
      if (joined.ok) return bot;
      if (attempt === 5 || !['ENGINE_UNAVAILABLE', 'WORLD_NOT_READY'].includes(`${joined.code}`))
        throw new Error(`${id} could not join ${worldId}: ${JSON.stringify(joined)}`);
      await sleep(1_000);
    }
  }

  play(): void {
    this.timer = setInterval(() => void this.move(), COMMAND_EVERY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await poll(`${this.id}'s commands to be answered`, async () => this.inFlight === 0, 30_000);
  }

  private async move(): Promise<void> {
    if (this.inFlight > 0) return; // one at a time: a pause shows as fewer commands, not a queue
    this.inFlight++;
    const dx = Math.round((Math.random() * 2 - 1) * 100) / 100;
    try {
      const ack = (await this.socket.timeout(30_000).emitWithAck('cmd', {
        seq: ++this.seq,
        worldId: this.worldId,
        type: 'move',
        dx,
        dy: 0,
      })) as Ack;
      if (ack.ok) this.acks.push({ tick: ack.tick as number, at: Date.now() });
      else this.errors.push({ code: `${ack.code}`, message: `${ack.message}`, at: Date.now() });
    } catch (error) {
      this.errors.push({ code: 'NO_ANSWER', message: String(error), at: Date.now() });
    } finally {
      this.inFlight--;
    }
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const apps: AppProcess[] = [];
const start = (app: AppProcess) => (apps.push(app), app);
const physics = new Replicas();
const games = new Replicas();
const gatewayUrls: string[] = [];
const bots: Bot[] = [];
/** Deltas on the physics topic: world -> epoch -> when the first one was sent. */
const firstDeltaOfEpoch = new Map<string, Map<number, number>>();
let consumer: Consumer;
let db: Client;

/** What every app of the test gets. */
const common = {
  BUS: 'kafka',
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  BUS_TOPIC_PREFIX: topicPrefix,
  LOG_LEVEL: 'info',
  ENGINE_TOKEN: engineToken,
  DATABASE_URL: databaseUrl,
};

/** Waits until every replica of `ids` has a live load report (placement and takeover see it). */
function reported(ids: string[]) {
  return poll(
    `${ids.join(', ')} to report their load`,
    async () =>
      (
        await db.query(
          'SELECT count(DISTINCT replica_id)::int AS n FROM engine_replicas WHERE replica_id = ANY($1) AND expires_at > now()',
          [ids],
        )
      ).rows[0].n === ids.length,
    120_000,
    100,
  );
}

/** The physics builds: the example manifest's, and the one the test upgrades to. */
const OLD_PHYSICS = '1.3.0';
const NEW_PHYSICS = '1.5.0';

/** Starts a physics replica of `version` behind the physics proxy. */
async function startPhysics(name: string, version: string): Promise<void> {
  const port = await freePort();
  const app = start(
    new AppProcess('physics-engine', {
      ...common,
      ...LEASE,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      REPLICA_ID: name,
      ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
      MODULE_VERSION: version,
      TICK_HZ: String(HZ),
      CHECKPOINT_EVERY_TICKS: '60',
      MAX_WORLDS: '64',
    }),
  );
  physics.processes.set(name, { app, address: `127.0.0.1:${port}` });
}

const topic = (kind: string) => `${topicPrefix}.anvil.world.${kind}`;
const leases = async (role: string) =>
  (
    await db.query<{ world_id: string; holder: string; address: string; epoch: string }>(
      'SELECT world_id, holder, address, epoch FROM world_leases WHERE role = $1 AND world_id = ANY($2)',
      [role, worldIds],
    )
  ).rows.map((r) => ({ ...r, epoch: Number(r.epoch) }));

beforeAll(async () => {
  ensureAppsBuilt();
  await physics.listen();
  await games.listen();

  // The apps create the schema when they migrate; until then the test reads nothing from it.
  db = new Client({ connectionString: env.DATABASE_URL, options: `-c search_path=${schema}` });
  await db.connect();
  const kafka = new Kafka({
    clientId: 'failover-e2e',
    brokers: env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: ['physics', 'interaction', 'commands'].map((kind) => ({
      topic: topic(kind),
      numPartitions: 3,
    })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  consumer = kafka.consumer({ groupId: `failover-${namespace}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic('physics')], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as {
        data?: { worldId?: string; epoch?: number };
      };
      const { worldId, epoch } = event.data ?? {};
      if (!worldId || epoch === undefined) return;
      const epochs = firstDeltaOfEpoch.get(worldId) ?? new Map<number, number>();
      firstDeltaOfEpoch.set(worldId, epochs);
      // When the new owner sent it (the record's create time), not when this busy consumer got it.
      if (!epochs.has(epoch)) epochs.set(epoch, Number(message.timestamp));
    },
  });

  const controllerEnv = {
    KUBECONFIG: env.KUBECONFIG,
    NAMESPACE: namespace,
    LEADER_ELECTION: 'false',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    PLACEMENT_SYNC_MS: '1000',
  };
  const controller = start(new AppProcess('resolver-controller', controllerEnv));
  for (let i = 0; i < PHYSICS_REPLICAS; i++) await startPhysics(`physics-${i}`, OLD_PHYSICS);
  for (let i = 0; i < GAME_REPLICAS; i++) {
    const port = await freePort();
    const app = start(
      new AppProcess('interaction-engine', {
        ...common,
        ...LEASE,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        REPLICA_ID: `game-${i}`,
        ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
        MODULE_VERSION: '1.0.0',
        PHYSICS_ENGINE_ADDRESS: physics.proxy.address,
        MAX_WORLDS: '64',
      }),
    );
    games.processes.set(`game-${i}`, { app, address: `127.0.0.1:${port}` });
  }
  for (let i = 0; i < GATEWAYS; i++) {
    const port = await freePort();
    start(
      new AppProcess('gateway', {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(port),
        GATEWAY_ID: `gateway-${i}`,
        JWT_SECRET: jwtSecret,
        INTERACTION_ENGINE_ADDRESS: games.proxy.address,
      }),
    );
    gatewayUrls.push(`http://127.0.0.1:${port}`);
  }

  await kubectlOk(['apply', '--server-side', '-f', path.join(REPO, 'deploy', 'crds')]);
  await kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/worldinstances.anvil.dev',
  ]);
  await kubectlOk(['create', 'namespace', namespace]);
  await kubectlOk(['apply', '-n', namespace, '-f', '-'], {
    input: manifests({
      'physics-rapier': physics.proxy.port,
      'interaction-engine': games.proxy.port,
    }),
  });
  await Promise.all(
    apps
      .filter((app) => app.app === 'gateway')
      .map((app, i) =>
        app.waitUntil(
          '/readyz answers 200',
          async () => (await fetch(`${gatewayUrls[i]}/readyz`)).status === 200,
          120_000,
        ),
      ),
  );
  // Every engine replica has reported its load, so the worlds' placement sees all of them.
  const replicaIds = [
    ...Array.from({ length: PHYSICS_REPLICAS }, (_, i) => `physics-${i}`),
    ...Array.from({ length: GAME_REPLICAS }, (_, i) => `game-${i}`),
  ];
  await reported(replicaIds);
  // The controller dies while it resolves the worlds; another one takes over from there.
  const ready = async () =>
    (
      await db.query(
        "SELECT count(*)::int AS n FROM worlds WHERE id = ANY($1) AND phase = 'Ready'",
        [worldIds],
      )
    ).rows[0].n as number;
  await poll('the first worlds to be Ready', async () => (await ready()) > 0, 180_000, 50);
  console.log(`controller SIGKILLed with ${await ready()} of ${WORLDS} worlds Ready`);
  await controller.stop('SIGKILL');
  start(new AppProcess('resolver-controller', controllerEnv));
  await poll(
    `the ${WORLDS} worlds to be Ready in the registry`,
    async () =>
      (
        await db.query(
          "SELECT count(*)::int AS n FROM worlds WHERE id = ANY($1) AND phase = 'Ready'",
          [worldIds],
        )
      ).rows[0].n === WORLDS,
    180_000,
    500,
  );
}, 600_000);

afterAll(async () => {
  await Promise.all(bots.map((bot) => bot.stop().catch(() => undefined)));
  bots.forEach((bot) => bot.socket.close());
  for (const app of apps.filter((a) => a.app === 'gateway')) await app.stop();
  await Promise.all(apps.map((app) => app.stop()));
  const logDir = process.env.FAILOVER_E2E_LOG_DIR;
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    apps.forEach((app, i) => fs.writeFileSync(path.join(logDir, `${i}-${app.app}.log`), app.log));
  }
  await physics.proxy?.close();
  await games.proxy?.close();
  await consumer?.disconnect();
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.end();
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

/** The replica of `replicas` that owns the most worlds of `role`, and those worlds' leases. */
async function busiest(role: string) {
  const held = await leases(role);
  const counts = new Map<string, number>();
  for (const lease of held) counts.set(lease.holder, (counts.get(lease.holder) ?? 0) + 1);
  const [victim] = [...counts].sort((a, b) => b[1] - a[1])[0];
  const others = [...counts]
    .filter(([holder]) => holder !== victim)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([holder, n]) => `${holder} ${n}`);
  return { victim, owned: held.filter((lease) => lease.holder === victim), others };
}

/** Kills the replica of `replicas` that owns the most worlds of `role`; its worlds and their epochs. */
async function killBusiest(replicas: Replicas, role: string) {
  const { victim, owned, others } = await busiest(role);
  const killedAt = Date.now();
  await replicas.processes.get(victim)!.app.stop('SIGKILL');
  return { victim, owned, others, killedAt };
}

/** Per world: when its first delta under an epoch newer than `owned`'s was sent, ms after `since`. */
function firstDeltasAfter(owned: Array<{ world_id: string; epoch: number }>, since: number) {
  const times = owned.map(({ world_id, epoch }) => {
    const epochs = firstDeltaOfEpoch.get(world_id) ?? new Map<number, number>();
    const after = [...epochs].filter(([e, at]) => e > epoch && at >= since);
    return after.length > 0 ? Math.min(...after.map(([, at]) => at)) - since : undefined;
  });
  return times.every((t) => t !== undefined) && (times as number[]);
}

/** Each player's longest gap between deltas and longest stall of the world's clock, in ms. */
async function longestGaps(players: Bot[], ms: number) {
  players.forEach((bot) => bot.watchGaps());
  await sleep(ms);
  return {
    gaps: players.map((bot) => bot.longestGap),
    stalls: players.map((bot) => bot.longestStall),
  };
}

const TICK_MS = 1000 / HZ;
const inTicks = (ms: number) => (ms / TICK_MS).toFixed(1);
const spread = (what: string, ms: number[]) =>
  `${what} p50 ${percentile(ms, 50)} ms (${inTicks(percentile(ms, 50))} ticks), p99 ${percentile(ms, 99)} ms (${inTicks(percentile(ms, 99))} ticks), max ${Math.max(...ms)} ms`;

/** Disconnects and errors of every bot since `since`. */
function faults(since = 0) {
  return {
    disconnects: bots.reduce((n, bot) => n + bot.disconnects, 0),
    errors: bots.flatMap((bot) =>
      bot.errors.filter((e) => e.at >= since).map((e) => `${bot.id}: ${e.code} ${e.message}`),
    ),
  };
}

/**
 * `ask` of the replica the world's lease names, polled: the lease is read again if the world
 * moved meanwhile (on a loaded machine a survivor may lose a world it took, and another round
 * takes it; a world may be handed on after a drain, its former holder then naming the new owner).
 */
function atOwner<T>(worldId: string, what: string, ask: (client: EngineClient) => Promise<T>) {
  return poll(
    `${what} of ${worldId} from its owner`,
    async () => {
      const owner = (await leases(PHYSICS_ROLE)).find((l) => l.world_id === worldId);
      if (!owner) return undefined;
      const client = new EngineClient(owner.address, {
        access: { token: engineToken, caller: 'failover-e2e' },
      });
      try {
        return await ask(client);
      } finally {
        client.close();
      }
    },
    30_000,
    250,
  );
}

/** The world's physics snapshot from its owner. */
const snapshotAtOwner = (worldId: string) =>
  atOwner(worldId, 'a snapshot', (client) => client.snapshot({ worldId }));

/** The physics-rapier manifest of NEW_PHYSICS: the example's, with a higher capability version. */
function newPhysicsManifest(port: number) {
  const file = path.join(REPO, 'deploy', 'examples', 'physics-rapier.yaml');
  const current = fs
    .readFileSync(file, 'utf8')
    .split(/^---\s*$/m)
    .map((doc) => parse(doc))
    .find((o) => o?.kind === 'ModuleManifest' && o.spec.version === OLD_PHYSICS);
  return {
    ...current,
    metadata: { name: `physics-rapier-${NEW_PHYSICS}` },
    spec: {
      ...current.spec,
      version: NEW_PHYSICS,
      image: `ghcr.io/anvil-dev/physics-engine:${NEW_PHYSICS}`,
      endpoint: { ...current.spec.endpoint, host: '127.0.0.1', port },
      provides: current.spec.provides.map((p: { capabilityId: string }) =>
        p.capabilityId === 'physics.simulation' ? { ...p, version: NEW_PHYSICS } : p,
      ),
    },
  };
}

/** The version of the physics build that runs the world, as its owner's Init answers it. */
async function engineVersionAtOwner(worldId: string): Promise<string> {
  const { settings } = decodeState((await snapshotAtOwner(worldId)).state).header;
  const config = worldSettingsToWire(settings);
  return atOwner(worldId, 'the build', async (client) => {
    return (await client.init({ worldId, config })).engineVersion;
  });
}

/** Each world's command log as a plain kafkajs consumer reads it, in log order. */
async function commandLogs(): Promise<Map<string, CommandLogEntry[]>> {
  const records = await readTopic(env.KAFKA_BROKERS.split(','), topic('commands'));
  const logs = new Map<string, CommandLogEntry[]>();
  for (const record of records) {
    const event = record.value as { data: CommandLogEntry };
    if (!worldIds.includes(record.key as string)) continue;
    const log = logs.get(record.key as string) ?? [];
    logs.set(record.key as string, log);
    log.push(event.data);
  }
  return logs;
}

describe('failover with players connected', () => {
  it(`${BOTS} bots on ${GATEWAYS} gateways play ${WORLDS} worlds placed over ${PHYSICS_REPLICAS} physics replicas and ${GAME_REPLICAS} interaction engines`, async () => {
    // Worlds start a few at a time, as players arrive in them (their first join starts them);
    // then the other bots join.
    const connect = (i: number) =>
      Bot.connect(`bot-${i}`, worldIds[i % WORLDS], gatewayUrls[i % GATEWAYS]);
    for (let i = 0; i < WORLDS; i += 5)
      bots.push(...(await Promise.all([0, 1, 2, 3, 4].map((j) => connect(i + j)))));
    for (let i = WORLDS; i < BOTS; i += 30)
      bots.push(...(await Promise.all(Array.from({ length: 30 }, (_, j) => connect(i + j)))));
    bots.forEach((bot) => bot.play());
    await sleep(5_000);
    const physicsHolders = new Set((await leases(PHYSICS_ROLE)).map((l) => l.holder));
    const gameHolders = new Set((await leases(GAME_ROLE)).map((l) => l.holder));
    console.log(
      `placement: physics ${[...physicsHolders].sort().join(', ')}; interaction ${[...gameHolders].sort().join(', ')}`,
    );
    expect(physicsHolders.size).toBe(PHYSICS_REPLICAS);
    expect(gameHolders.size).toBe(GAME_REPLICAS);
    expect((await leases(PHYSICS_ROLE)).length).toBe(WORLDS);
    expect(bots.every((bot) => bot.acks.length > 0)).toBe(true);
    expect(faults()).toEqual({ disconnects: 0, errors: [] });
  });

  it('SIGKILL of a physics replica: its worlds resume on the others; no bot is disconnected or sees an error', async () => {
    const { victim, owned, others, killedAt } = await killBusiest(physics, PHYSICS_ROLE);
    expect(owned.length).toBeGreaterThan(0);
    const { rows } = await db.query<{ ended: Date }>(
      'SELECT max(expires_at) AS ended FROM world_leases WHERE role = $1 AND holder = $2',
      [PHYSICS_ROLE, victim],
    );
    const leaseEndedAt = rows[0].ended;
    const recovery = await poll(
      `the ${owned.length} worlds of ${victim} to publish deltas under a new owner`,
      async () => firstDeltasAfter(owned, killedAt),
      60_000,
      100,
    );
    const now = await leases(PHYSICS_ROLE);
    const movedTo = owned.map(({ world_id }) => now.find((l) => l.world_id === world_id)!.holder);
    // Where the time went: the dead replica's leases ran out (its last renewal plus the TTL),
    // then each world was brought back.
    const leaseEnded = leaseEndedAt.getTime() - killedAt;
    const afterLease = recovery.map((ms) => ms - leaseEnded).sort((a, b) => a - b);
    console.log(
      `physics failover (lease TTL ${LEASE_TTL_MS} ms): killed ${victim} (${owned.length} worlds; the others had ${others.join(', ')}) -> ${movedTo.join(', ')}; recovery ms p50 ${percentile(recovery, 50)}, p99 ${percentile(recovery, 99)}, max ${Math.max(...recovery)}; its leases ended ${leaseEnded} ms after the kill, each world's first delta that long after: ${afterLease.join(', ')}`,
    );
    expect(movedTo.every((holder) => holder !== victim)).toBe(true);
    await sleep(3_000);
    const afterKill = bots.filter((bot) => owned.some((o) => o.world_id === bot.worldId));
    expect(afterKill.every((bot) => bot.acks.some((ack) => ack.at > killedAt))).toBe(true);
    expect(faults()).toEqual({ disconnects: 0, errors: [] });
    // `kubectl get worlds` shows where each moved world runs now (the controller's placement sync).
    await poll(
      "the moved worlds' status.placement to name their new replica",
      async () => {
        const items = JSON.parse(
          await kubectlOk(['get', 'worldinstances', '-n', namespace, '-o', 'json']),
        ).items as Array<{
          metadata: { name: string };
          status?: { placement?: { replica?: string } };
        }>;
        const current = await leases(PHYSICS_ROLE);
        return owned.every(({ world_id }) => {
          const shown = items.find((w) => `${namespace}:${w.metadata.name}` === world_id);
          const holder = current.find((l) => l.world_id === world_id)?.holder;
          return holder !== victim && shown?.status?.placement?.replica === holder;
        });
      },
      30_000,
      500,
    );
  });

  it('SIGTERM of a physics replica: it hands its worlds over before it exits, and they go on where it stopped; no bot is disconnected or sees an error', async () => {
    const { victim, owned } = await busiest(PHYSICS_ROLE);
    expect(owned.length).toBeGreaterThan(0);
    const players = bots.filter((bot) => owned.some((o) => o.world_id === bot.worldId));
    const steady = await longestGaps(players, 3_000);
    const stoppedAt = Date.now();
    const watching = longestGaps(players, 5_000);
    expect(await physics.processes.get(victim)!.app.stop('SIGTERM')).toBe(0);
    const exitedAt = Date.now();
    // Every world was handed over (released with where it stopped), none left to expire.
    const handed = (
      await db.query<{ world_id: string; handover: { epoch: number } | null }>(
        'SELECT world_id, handover FROM world_leases WHERE role = $1 AND world_id = ANY($2)',
        [PHYSICS_ROLE, owned.map((o) => o.world_id)],
      )
    ).rows;
    expect(
      owned.filter(({ world_id, epoch }) => {
        const row = handed.find((r) => r.world_id === world_id);
        return Number(row?.handover?.epoch) !== epoch;
      }),
    ).toEqual([]);
    const resumed = await poll(
      `the ${owned.length} worlds of ${victim} to publish deltas under a new owner`,
      async () => firstDeltasAfter(owned, stoppedAt),
      30_000,
      100,
    );
    const { gaps, stalls } = await watching;
    const now = await leases(PHYSICS_ROLE);
    expect(
      owned.every(({ world_id }) => now.find((l) => l.world_id === world_id)!.holder !== victim),
    ).toBe(true);
    console.log(
      `physics drain: SIGTERM ${victim} (${owned.length} worlds), exited after ${exitedAt - stoppedAt} ms; first delta under the new owner, ms after the signal: p50 ${percentile(resumed, 50)}, max ${Math.max(...resumed)}; per player (${players.length} players, ${HZ} Hz), longest ${spread('delta gap', gaps)}; longest ${spread("stall of the world's clock", stalls)}; in 3 s before it: ${spread('gap', steady.gaps)}; ${spread('stall', steady.stalls)}`,
    );
    await poll(
      'every player of those worlds to have a command acknowledged after the replica exited',
      async () => players.every((bot) => bot.acks.some((ack) => ack.at > exitedAt)),
      30_000,
      100,
    );
    expect(faults()).toEqual({ disconnects: 0, errors: [] });
  });

  it(`rolling upgrade of physics ${OLD_PHYSICS} -> ${NEW_PHYSICS}: the new build's replicas start, the old one drains; every world ends on ${NEW_PHYSICS}; no bot is disconnected or sees an error`, async () => {
    const old = [...physics.processes].filter(([, p]) => p.app.running).map(([name]) => name);
    // The new version is published (the worlds' bindings move to it) and its replicas start.
    await kubectlOk(['apply', '-n', namespace, '-f', '-'], {
      input: JSON.stringify(newPhysicsManifest(physics.proxy.port)),
    });
    const fresh = [`physics-${NEW_PHYSICS}-0`, `physics-${NEW_PHYSICS}-1`];
    for (const name of fresh) await startPhysics(name, NEW_PHYSICS);
    await reported(fresh);
    // Every world moves: every player's longest gap while it does, as for the drain above.
    const steady = await longestGaps(bots, 3_000);
    bots.forEach((bot) => bot.watchGaps());
    const stoppedAt = Date.now();
    for (const name of old) expect(await physics.processes.get(name)!.app.stop('SIGTERM')).toBe(0);
    await poll(
      `every world to be owned by a ${NEW_PHYSICS} replica`,
      async () => {
        const held = await leases(PHYSICS_ROLE);
        return held.length === WORLDS && held.every((l) => fresh.includes(l.holder));
      },
      60_000,
      100,
    );
    const movedAfter = Date.now() - stoppedAt;
    await sleep(2_000); // a world's first deltas under its new owner end its gap
    const gaps = bots.map((bot) => bot.longestGap);
    const stalls = bots.map((bot) => bot.longestStall);
    // Each world's owner says which build runs it.
    const versions = new Set<string>();
    for (const worldId of worldIds) versions.add(await engineVersionAtOwner(worldId));
    expect([...versions]).toEqual([NEW_PHYSICS]);
    // `kubectl get worlds` shows it: the replica running each world, and its physics binding.
    await poll(
      `every world's status.placement to name a ${NEW_PHYSICS} replica`,
      async () => {
        const items = JSON.parse(
          await kubectlOk(['get', 'worldinstances', '-n', namespace, '-o', 'json']),
        ).items as Array<{ status?: { placement?: { replica?: string } } }>;
        return (
          items.length === WORLDS &&
          items.every((w) => fresh.includes(w.status?.placement?.replica ?? ''))
        );
      },
      30_000,
      500,
    );
    // The controller rebinds once it sees the new placement: polled, as placement is.
    await poll(
      `every physics binding to name ${NEW_PHYSICS}`,
      async () => {
        const bindings = JSON.parse(
          await kubectlOk(['get', 'capabilitybindings', '-n', namespace, '-o', 'json']),
        ).items as Array<{ spec: { capabilityId: string; provider: { version: string } } }>;
        const versions = bindings
          .filter((b) => b.spec.capabilityId === 'physics.simulation')
          .map((b) => b.spec.provider.version);
        return versions.length > 0 && versions.every((version) => version === NEW_PHYSICS);
      },
      30_000,
      500,
    );
    console.log(
      `physics upgrade: ${old.join(', ')} (${OLD_PHYSICS}) drained onto ${fresh.join(', ')} (${NEW_PHYSICS}): every world owned by the new build ${movedAfter} ms after the signal; per player (${bots.length} players, ${HZ} Hz), longest ${spread('delta gap', gaps)}; longest ${spread("stall of the world's clock", stalls)}; in 3 s before it: ${spread('gap', steady.gaps)}; ${spread('stall', steady.stalls)}`,
    );
    expect(faults()).toEqual({ disconnects: 0, errors: [] });
  });

  it('SIGKILL of an interaction engine: its worlds go on on the other one, their players still in them; no bot is disconnected or sees an error', async () => {
    const { victim, owned, killedAt } = await killBusiest(games, GAME_ROLE);
    expect(owned.length).toBeGreaterThan(0);
    await poll(
      `the ${owned.length} worlds of ${victim} to be owned by the other interaction engine`,
      async () => {
        const now = await leases(GAME_ROLE);
        return owned.every(({ world_id, epoch }) =>
          now.some((l) => l.world_id === world_id && l.epoch > epoch && l.holder !== victim),
        );
      },
      60_000,
    );
    const survivors = [...games.processes]
      .filter(([name, p]) => name !== victim && p.app.running)
      .map(([name]) => name);
    const resumed = await poll(
      'every bot of those worlds to have a command acknowledged after the kill',
      async () => {
        const theirs = bots.filter((bot) => owned.some((o) => o.world_id === bot.worldId));
        const times = theirs.map((bot) => bot.acks.find((ack) => ack.at > killedAt)?.at);
        return times.every((t) => t !== undefined) && (times as number[]).map((t) => t - killedAt);
      },
      60_000,
      100,
    );
    console.log(
      `interaction failover: killed ${victim} (${owned.length} worlds) -> ${survivors.join(', ')}; first acknowledged command per bot after the kill, ms p50 ${percentile(resumed, 50)}, p99 ${percentile(resumed, 99)}`,
    );
    await sleep(3_000);
    expect(faults()).toEqual({ disconnects: 0, errors: [] });
  });

  it("every acknowledged command is in its world's command log, at its apply tick", async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    const logs = await commandLogs();
    const missing: string[] = [];
    let checked = 0;
    for (const bot of bots) {
      const accepted = entriesAfter({ tick: 0, logSeq: 0 }, logs.get(bot.worldId) ?? []).entries;
      const body = JSON.stringify(playerBodyId(bot.id));
      for (const ack of bot.acks) {
        checked++;
        const found = accepted.some(
          (entry) => entry.tick === ack.tick && JSON.stringify(entry.intents).includes(body),
        );
        if (!found) missing.push(`${bot.id}@${ack.tick}`);
      }
    }
    console.log(
      `acknowledged commands checked against the log: ${checked}, missing ${missing.length}`,
    );
    expect(missing.slice(0, 20)).toEqual([]);
    expect(faults()).toEqual({ disconnects: 0, errors: [] });
  });

  it("every world's whole command log, read with a plain kafkajs consumer, replays to its owner's state hash", async () => {
    // The bots stopped (above): nothing is queued for a next tick, so a snapshot's hash is the
    // state after its tick, which is what a replay to that tick gives.
    await sleep(1_000);
    const rapier = await loadRapier();
    const options = { dtSeconds: 1 / HZ, maxQueuedIntents: 4_096 };
    const logs = await commandLogs();
    const mismatched: string[] = [];
    for (const worldId of worldIds) {
      const snapshot = await snapshotAtOwner(worldId);
      const { settings } = decodeState(snapshot.state).header;
      const first = WorldSimulation.create(rapier, settings, options);
      const base = { state: first.snapshot().state, tick: 0, logSeq: 0 };
      first.free();
      const sim = replay(rapier, base, logs.get(worldId) ?? [], snapshot.tick, options);
      if (sim.stateHash() !== snapshot.stateHash) mismatched.push(`${worldId}@${snapshot.tick}`);
      sim.free();
    }
    expect(mismatched).toEqual([]);
  });
});
