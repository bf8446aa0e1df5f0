// End to end on the real services (npm run testenv:up): the physics and interaction engines as
// processes, two gateway instances (one in this process, one from dist/main.js), all on one Kafka
// cluster with a topic prefix of their own, and PostgreSQL in a schema of their own.
// Build first: npx nx run-many -t build -p physics-engine interaction-engine gateway
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaBus } from '@anvil/bus/kafka';
import type { Socket } from 'socket.io-client';
import type { RunningGateway } from '../src/bootstrap';
import { connect, record, request, TEST_SECRET, token } from '../src/testing/clients';
import { runDocExample } from '../src/testing/doc-example';
import {
  TEST_ENGINE_TOKEN,
  freePort,
  pollUntil,
  startEngines,
  stopProcess,
  type Engines,
} from '../src/testing/engines';
import { registerWorld, startGateway } from '../src/testing/gateway';

jest.setTimeout(300_000);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const PREFIX = `gwtest${run}`;
const WORLD = 'arena';
const KICK_TRACE_ID = randomBytes(16).toString('hex');
const KICK_TRACE = `00-${KICK_TRACE_ID}-${'b'.repeat(16)}-01`;
const brokers = () => process.env['KAFKA_BROKERS'] as string;
const databaseUrl = () =>
  `${process.env['DATABASE_URL']}${process.env['DATABASE_URL']?.includes('?') ? '&' : '?'}schema=gw_${run}`;

type Delta = { worldId: string; tick: number; bodies: Array<{ id: string; vx: number }> };

async function startChildGateway(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const main = join(__dirname, '..', 'dist', 'main.js');
  if (!existsSync(main))
    throw new Error(`${main} is missing: run \`npx nx run gateway:build\` first`);
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env['PATH'] ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => void (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await pollUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}: ${output}`);
      return (await fetch(`${url}/readyz`)).status === 200;
    },
    120_000,
    'the second gateway to be ready',
    250,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${output}`);
  });
  return { url, child, output: () => output };
}

describe('gateway on Kafka and PostgreSQL, end to end', () => {
  let engines: Engines;
  let first: RunningGateway;
  let firstBus: KafkaBus;
  let second: Awaited<ReturnType<typeof startChildGateway>>;
  const sockets: Socket[] = [];
  const shared = () => ({ BUS: 'kafka', KAFKA_BROKERS: brokers(), BUS_TOPIC_PREFIX: PREFIX });

  beforeAll(async () => {
    engines = await startEngines({ bus: shared(), physics: { TICK_HZ: '30' } });
    const gatewayEnv = {
      ...shared(),
      INTERACTION_ENGINE_ADDRESS: engines.interaction.address,
      DATABASE_URL: databaseUrl(),
      DISCONNECT_GRACE_MS: '0',
    };
    // Jest cannot run the gateway's lazy import() of the Kafka entry point: hand it the bus. The
    // second gateway (plain node) creates its own from BUS=kafka.
    firstBus = new KafkaBus({ brokers: brokers().split(','), clientId: 'gateway-int-test' });
    first = await startGateway({ ...gatewayEnv, GATEWAY_ID: `first-${run}` }, { bus: firstBus });
    second = await startChildGateway({
      ...gatewayEnv,
      GATEWAY_ID: `second-${run}`,
      JWT_SECRET: TEST_SECRET,
      ENGINE_TOKEN: TEST_ENGINE_TOKEN,
      LOG_LEVEL: 'warn',
    });
    await engines.client.init({
      worldId: WORLD,
      config: { widthMm: 200_000, heightMm: 20_000, gravityYMmS2: 0, maxBodies: 0 },
    });
    await registerWorld(first.storage, WORLD);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    if (second) await stopProcess(second.child);
    await first?.close();
    await firstBus?.close();
    await engines?.stop();
  });

  const player = async (sub: string, url: string) => {
    const socket = await connect(url, { token: token(sub) });
    sockets.push(socket);
    const deltas = record<Delta>(socket, 'delta');
    await expect(request(socket, 'world:join', { worldId: WORLD })).resolves.toMatchObject({
      ok: true,
      bodyId: `p:${sub}`,
    });
    return { socket, deltas };
  };

  it('each instance delivers the engine deltas of a command to its own clients', async () => {
    const alice = await player('alice', first.url);
    const bob = await player('bob', second.url);
    const ack = await request<{ ok: boolean; tick: number }>(alice.socket, 'cmd', {
      seq: 1,
      worldId: WORLD,
      type: 'move',
      dx: 2,
    });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    const reflects = (d: Delta) =>
      d.tick >= ack.tick && d.bodies.some((b) => b.id === 'p:alice' && b.vx === 2_000);
    await pollUntil(() => alice.deltas.some(reflects), 60_000, 'alice to see her move');
    await pollUntil(
      () => bob.deltas.some(reflects),
      60_000,
      'bob (on the other instance) to see it',
    );
    expect(alice.deltas.find(reflects)?.tick).toBe(bob.deltas.find(reflects)?.tick);
  });

  it('runs the minimal client of docs/client-protocol.md as written', async () => {
    const result = await runDocExample(
      { GATEWAY_URL: second.url, TOKEN: token('doc-reader'), WORLD },
      120_000,
    );
    expect(result.output).toMatch(/joined arena at tick \d+/);
    expect(result.output).toMatch(/move #1 applies at tick \d+/);
    // Other players' bodies may bump into it, so only that a delta shows it moving is certain.
    expect(result.output).toMatch(/tick \d+: our body moves at -?\d+ mm\/s/);
    expect(result.code).toBe(0);
  });

  it('relays a kick over Kafka to the instance holding the player', async () => {
    const carol = await player('carol', second.url);
    const closed = new Promise((resolve) => carol.socket.once('disconnect', resolve));
    const admin = await connect(`${first.url}/admin`, {
      token: token('root', { roles: ['admin'] }),
    });
    sockets.push(admin);
    await expect(
      request(admin, 'admin:kick', { playerId: 'carol', reason: 'test', trace: KICK_TRACE }),
    ).resolves.toMatchObject({ ok: true, kickedHere: 0 });
    await expect(closed).resolves.toBe('io server disconnect');
  });

  it('keeps sessions and the audit log in PostgreSQL', async () => {
    await pollUntil(
      async () => {
        const audit = await first.storage.audit.listByWorld(WORLD, { limit: 1_000 });
        const kick = await first.storage.audit.listByTrace(KICK_TRACE_ID);
        const actions = new Set([...audit, ...kick].map((e) => `${e.actor}:${e.action}`));
        return [
          'alice:world.join',
          'bob:world.join',
          'carol:world.leave',
          'root:player.kick',
        ].every((a) => actions.has(a));
      },
      60_000,
      'audit rows',
    ).catch(async (error: unknown) => {
      const audit = await first.storage.audit.listByWorld(WORLD, { limit: 1_000 });
      throw new Error(
        `${String(error)}: found ${audit.map((e) => `${e.actor}:${e.action}`).join(', ')}\n${second.output()}`,
      );
    });
    const open = await first.storage.sessions.listOpen(WORLD);
    expect(open.map((s) => s.playerId).sort()).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(new Set(open.map((s) => s.gateway))).toEqual(new Set([`first-${run}`, `second-${run}`]));
  });
});
