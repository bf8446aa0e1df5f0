// A game module's owner paused past its lease changes nothing when it wakes: one physics engine
// and two interaction engines, the built apps as processes on the real Kafka and PostgreSQL of
// tools/testenv. Replica A runs a world; it is SIGSTOPped past its lease; replica B takes the
// world over (a new epoch, which it shows physics in its Init); a command is sent to A while it
// sleeps and A is SIGCONTed. A answers it with an error and physics never applies it: the world's
// physics fences A's epoch (docs/engine-contract.md, "Fencing the caller"), and its store fences
// A's rules state.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ENGINE_SERVICE_NAME,
  EngineClient,
  checkEngineHealth,
  commandToWire,
  engineChannelCredentials,
  placedInit,
  playerBodyId,
  type PlayerCommand,
} from '@anvil/engine-contract';
import { createStorage, type Storage } from '@anvil/storage';
import { readEnv } from '../../tools/testenv/lib/index.cjs';
import { AppProcess } from '../cluster/support/app-process';
import { ensureAppsBuilt } from '../cluster/support/build';
import { freePort } from '../cluster/support/ports';

jest.setTimeout(300_000);

const env = readEnv();
const engineToken = 'game-split-brain-engine-token';
const access = { token: engineToken, caller: 'game-split-brain' };
const worldId = `split-brain-${process.pid}`;
const TTL_MS = 1_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A schema of its own: nothing it leaves behind (an orphaned lease) reaches another suite. */
function databaseUrl(): string {
  const url = new URL(env.DATABASE_URL);
  url.searchParams.set('schema', `anvil_split_brain_${process.pid}`);
  return url.toString();
}

type Running = Awaited<ReturnType<typeof start>>;
const apps: AppProcess[] = [];
const clients: EngineClient[] = [];

/** Starts a built app on a free loopback port and waits until its health service serves. */
async function start(name: 'physics-engine' | 'interaction-engine', extra: Record<string, string>) {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const app = new AppProcess(name, {
    BUS: 'kafka',
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    BUS_TOPIC_PREFIX: `gsb${process.pid}`,
    DATABASE_URL: databaseUrl(),
    ENGINE_TOKEN: engineToken,
    LOG_LEVEL: 'info',
    WORLD_LEASE_TTL_MS: String(TTL_MS),
    WORLD_LEASE_RENEW_MS: '400',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(port),
    ADVERTISE_ADDRESS: address,
    ...extra,
  });
  apps.push(app);
  await app.waitUntil(
    'its health service serves',
    async () =>
      (await checkEngineHealth(address, engineChannelCredentials(), {
        service: ENGINE_SERVICE_NAME,
        deadlineMs: 1_000,
      }).catch(() => 'DOWN')) === 'SERVING',
    90_000,
  );
  const client = new EngineClient(address, { deadlineMs: 10_000, access });
  clients.push(client);
  return { app, client, address };
}

let physics: Running;
let a: Running;
let b: Running;
let storage: Storage;

beforeAll(async () => {
  ensureAppsBuilt();
  storage = await createStorage({ url: databaseUrl() });
  await storage.migrate();
  physics = await start('physics-engine', {
    REPLICA_ID: `physics-${process.pid}`,
    TICK_HZ: '30',
  });
  const game = (name: string) =>
    start('interaction-engine', {
      REPLICA_ID: `${name}-${process.pid}`,
      MODULE_VERSION: '1.0.0',
      PHYSICS_ENGINE_ADDRESS: physics.address,
    });
  a = await game('game-a');
  b = await game('game-b');
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const app of apps) app.signal('SIGCONT');
  await Promise.all(apps.map((app) => app.stop()));
  await storage?.close();
  const logDir = process.env.FAILOVER_E2E_LOG_DIR;
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    apps.forEach((app, i) =>
      fs.writeFileSync(path.join(logDir, `split-brain-${i}-${app.app}.log`), app.log),
    );
  }
});

const send = (replica: Running, command: PlayerCommand) =>
  replica.client.applyCommand({ worldId, command: commandToWire(command) });
const bodies = async () =>
  (await physics.client.snapshot({ worldId })).bodies.map((body) => body.bodyId).sort();

it('an interaction engine paused past its lease wakes up to find its command refused, and physics never applies it', async () => {
  await a.client.init({ worldId }, { metadata: placedInit() });
  await send(a, { type: 'join', playerId: 'early' });

  a.app.signal('SIGSTOP');
  await sleep(TTL_MS + 600);
  // B takes the world over: the lease with epoch 2, the rules state A saved, physics' fence.
  await b.client.init({ worldId }, { metadata: placedInit() });
  // Sent while A sleeps: A reads it when it wakes, before it learns it lost the world.
  const late = send(a, { type: 'join', playerId: 'late' });
  await sleep(200);
  a.app.signal('SIGCONT');
  const answer = await late.then(
    () => 'acknowledged',
    (error: { code?: string }) => error.code,
  );
  // UNAVAILABLE (physics or the store refused its epoch) or NOT_FOUND (it dropped the world
  // first): either way not acknowledged, and the caller looks for the world's owner.
  expect(['UNAVAILABLE', 'NOT_FOUND']).toContain(answer);

  // B goes on with the world as A left it before the pause.
  await send(b, { type: 'join', playerId: 'after' });
  await sleep(300); // a few ticks: anything A got applied would be in the world by now
  expect(await bodies()).toEqual([playerBodyId('after'), playerBodyId('early')].sort());
  await expect(send(b, { type: 'join', playerId: 'early' })).rejects.toMatchObject({
    code: 'ALREADY_EXISTS',
  });
});
