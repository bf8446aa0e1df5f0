// One command, one trace: the gateway, the interaction engine and the physics engine run as
// processes on the real Kafka and PostgreSQL of tools/testenv and export their spans over OTLP
// to its Jaeger. A socket.io client sends a command with its own `traceparent`; a plain Kafka
// consumer (this test, with the OpenTelemetry SDK and nothing of Anvil but the CloudEvent's
// `traceparent`) continues the trace from the world's delta. The trace is read back from
// Jaeger's query API and must hold every hop, each the child of the one before
// (docs/observability.md).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { worldTopic } from '@anvil/bus';
import { createStorage } from '@anvil/storage';
import { readEnv } from '../../tools/testenv/lib/index.cjs';
import { AppProcess, poll } from '../cluster/support/app-process';
import { ensureAppsBuilt } from '../cluster/support/build';
import { freePort } from '../cluster/support/ports';

jest.setTimeout(240_000);

const env = readEnv();
const otlpEndpoint = env.TESTENV_OTLP_ENDPOINT;
const jaegerUrl = env.TESTENV_JAEGER_URL;
const jwtSecret = 'tracing-e2e-jwt-secret-of-at-least-32-bytes';
const engineToken = 'tracing-e2e-engine-token';
const topicPrefix = `trace${process.pid}`;
const worldId = `traced-${process.pid}`;

/** A schema of its own: the leases and checkpoints it leaves reach no other suite. */
function databaseUrl(): string {
  const url = new URL(env.DATABASE_URL);
  url.searchParams.set('schema', `anvil_tracing_${process.pid}`);
  return url.toString();
}

const tracing = {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  OTEL_TRACES_SAMPLER: 'parentbased_always_on',
  // Spans reach Jaeger within a fraction of a second instead of the default 5 s.
  OTEL_BSP_SCHEDULE_DELAY: '200',
};
const common = {
  ...tracing,
  BUS: 'kafka',
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  BUS_TOPIC_PREFIX: topicPrefix,
  DATABASE_URL: databaseUrl(),
  ENGINE_TOKEN: engineToken,
  LOG_LEVEL: 'info',
};

const apps: AppProcess[] = [];
let socket: Socket | undefined;
const children: ChildProcess[] = [];
const physicsReplicas = new Map<string, { app: AppProcess; metrics: string }>();

async function startApp(app: AppProcess['app'], extra: Record<string, string>): Promise<string> {
  const port = await freePort();
  const process = new AppProcess(app, { ...common, ...extra, ...portEnv(app, port) });
  apps.push(process);
  await process.waitUntil(
    'it listens',
    async () => /serving EngineService|listening/i.test(process.log),
    90_000,
  );
  return `127.0.0.1:${port}`;
}

/** A physics replica with its /metrics served; all share the world's leases (ownership). */
async function startPhysics(replica: string): Promise<string> {
  const metricsPort = await freePort();
  const address = await startApp('physics-engine', {
    REPLICA_ID: replica,
    TICK_HZ: '20',
    CHECKPOINT_EVERY_TICKS: '20',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
  });
  physicsReplicas.set(replica, {
    app: apps.at(-1)!,
    metrics: `http://127.0.0.1:${metricsPort}/metrics`,
  });
  return address;
}

function portEnv(app: AppProcess['app'], port: number): Record<string, string> {
  if (app === 'gateway') return { HOST: '127.0.0.1', PORT: String(port) };
  return {
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(port),
    ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
  };
}

beforeAll(async () => {
  ensureAppsBuilt();
  // What the control plane would have written for a WorldInstance.
  const storage = await createStorage({ url: databaseUrl() });
  await storage.migrate();
  await storage.worlds.upsert({
    id: worldId,
    namespace: 'tracing',
    name: worldId,
    game: 'interaction',
    region: 'local',
    shards: 1,
    phase: 'Ready',
  });
  await storage.close();
  const physics = await startPhysics('physics-a');
  const game = await startApp('interaction-engine', {
    REPLICA_ID: 'game-traced',
    MODULE_VERSION: '1.0.0',
    PHYSICS_ENGINE_ADDRESS: physics,
  });
  const gateway = await startApp('gateway', {
    GATEWAY_ID: 'gateway-traced',
    JWT_SECRET: jwtSecret,
    INTERACTION_ENGINE_ADDRESS: game,
  });
  await poll(
    'the gateway to be ready',
    async () => (await fetch(`http://${gateway}/readyz`)).status === 200,
    60_000,
  );
  await startPlainConsumer();
  const token = jwt.sign({ sub: 'tracer' }, jwtSecret, { algorithm: 'HS256', expiresIn: '10m' });
  socket = io(`http://${gateway}`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) =>
    socket!.once('connect', resolve).once('connect_error', reject),
  );
  const joinTrace = randomBytes(16).toString('hex');
  const joined = (await socket.timeout(60_000).emitWithAck('world:join', {
    worldId,
    trace: `00-${joinTrace}-${randomBytes(8).toString('hex')}-01`,
  })) as { ok: boolean };
  if (!joined.ok) throw new Error(`join refused: ${JSON.stringify(joined)}`);
  // A checkpoint joins the trace of the first command it makes durable: the join's player body
  // is in one before the command below is sent, so the next one joins the command's trace.
  await poll(
    "the join's checkpoint",
    async () =>
      (await jaegerTrace(joinTrace))?.spans.some((s) => s.operationName === 'checkpoint write'),
    30_000,
    250,
  );
});

afterAll(async () => {
  socket?.close();
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(apps.map((app) => app.stop()));
  const logDir = process.env.TRACING_E2E_LOG_DIR;
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    for (const app of apps) fs.writeFileSync(path.join(logDir, `${app.app}.log`), app.log);
  }
});

/** The plain consumer (plain-consumer.cjs) as a process of its own, once it consumes. */
async function startPlainConsumer(): Promise<void> {
  const consumer = spawn(process.execPath, [path.join(__dirname, 'plain-consumer.cjs')], {
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      TOPIC: worldTopic('physics', topicPrefix),
      GROUP: `plain-${process.pid}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(consumer);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    consumer.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('consuming')) resolve();
    });
    consumer.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    consumer.once('exit', (code) =>
      reject(new Error(`the plain consumer exited ${code}: ${output}`)),
    );
  });
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  references: Array<{ refType: string; spanID: string }>;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

async function jaegerTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${jaegerUrl}/api/traces/${traceId}`);
  if (response.status !== 200) return undefined;
  const body = (await response.json()) as { data?: JaegerTrace[] };
  return body.data?.[0];
}

it('one command yields one trace: gateway, interaction engine, physics at its tick, the Kafka publish, a plain consumer, the fan-out and the checkpoint', async () => {
  const traceId = randomBytes(16).toString('hex');
  const clientTraceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  const ack = (await socket!.timeout(30_000).emitWithAck('cmd', {
    seq: 1,
    worldId,
    type: 'move',
    dx: 0.5,
    dy: 0,
    trace: clientTraceparent,
  })) as { ok: boolean; tick: number };
  expect(ack).toMatchObject({ ok: true });

  const deltaTopic = worldTopic('physics', topicPrefix);
  const wanted = [
    ['gateway', 'gateway command'],
    ['interaction-engine', 'interaction validate'],
    ['physics-engine', 'physics apply'],
    ['physics-engine', `publish ${deltaTopic}`],
    ['physics-engine', 'checkpoint write'],
    ['plain-consumer', `process ${deltaTopic}`],
    ['gateway', `fan-out ${deltaTopic}`],
  ];
  let missing = wanted;
  const trace = await poll(
    'every hop of the command in Jaeger',
    async () => {
      const found = await jaegerTrace(traceId);
      if (!found) return undefined;
      missing = wanted.filter(
        ([service, operation]) =>
          !found.spans.some(
            (s) =>
              s.operationName === operation &&
              found.processes[s.processID]?.serviceName === service,
          ),
      );
      return missing.length === 0 && found;
    },
    60_000,
    500,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; missing: ${JSON.stringify(missing)}`);
  });

  const byName = (operation: string) => trace.spans.find((s) => s.operationName === operation)!;
  const parentOf = (span: JaegerSpan) =>
    span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  const gateway = byName('gateway command');
  const validate = byName('interaction validate');
  const apply = byName('physics apply');
  const publish = byName(`publish ${deltaTopic}`);
  expect(gateway.references).toEqual([
    expect.objectContaining({ refType: 'CHILD_OF', spanID: clientTraceparent.split('-')[2] }),
  ]);
  expect(parentOf(validate)).toBe(gateway.spanID);
  expect(parentOf(apply)).toBe(validate.spanID);
  expect(parentOf(publish)).toBe(apply.spanID);
  expect(parentOf(byName(`process ${deltaTopic}`))).toBe(publish.spanID);
  expect(parentOf(byName(`fan-out ${deltaTopic}`))).toBe(publish.spanID);
  expect(parentOf(byName('checkpoint write'))).toBe(apply.spanID);
  // The command log's entry is published in the same trace, and the checkpoint's SQL under it.
  expect(
    trace.spans.some((s) => s.operationName === `publish ${worldTopic('commands', topicPrefix)}`),
  ).toBe(true);
});

/** The spans of `operation` (physics engine) whose `anvil.world.id` is this test's world. */
async function worldSpans(operation: string): Promise<Array<Record<string, unknown>>> {
  const query = new URLSearchParams({
    service: 'physics-engine',
    operation,
    tags: JSON.stringify({ 'anvil.world.id': worldId }),
    lookback: '1h',
    limit: '20',
  });
  const response = await fetch(`${jaegerUrl}/api/traces?${query}`);
  const body = (await response.json()) as {
    data: Array<{ spans: Array<JaegerSpan & { tags: Array<{ key: string; value: unknown }> }> }>;
  };
  return body.data.flatMap((trace) =>
    trace.spans
      .filter((span) => span.operationName === operation)
      .map((span) => Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value]))),
  );
}

/** A counter's value on a replica's /metrics (0 when absent). */
async function counter(replica: string, series: string): Promise<number> {
  const text = await (await fetch(physicsReplicas.get(replica)!.metrics)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

it("a migration and a failover appear in the world's traces and in the replicas' metrics", async () => {
  // Migration: a second replica starts, the first drains (SIGTERM) and hands the world over.
  await startPhysics('physics-b');
  expect(await physicsReplicas.get('physics-a')!.app.stop('SIGTERM')).toBe(0);
  await poll(
    "the handover in physics-b's metrics",
    async () =>
      (await counter('physics-b', 'anvil_physics_worlds_acquired_total{how="handed_over"}')) === 1,
    30_000,
  );
  const handedOver = await poll(
    'the handover and its takeover in Jaeger',
    async () => {
      const handovers = await worldSpans('world handover');
      const loads = await worldSpans('world load');
      return (
        handovers.some((tags) => tags['anvil.handover.result'] === 'handed_over') &&
        loads.some((tags) => tags['anvil.world.acquired'] === 'handed_over') &&
        loads
      );
    },
    30_000,
    500,
  );
  expect(handedOver.length).toBeGreaterThan(0);

  // Failover: a third replica starts, the owner is killed; the world is restored from its
  // checkpoint and command log once the lease expires.
  await startPhysics('physics-c');
  physicsReplicas.get('physics-b')!.app.signal('SIGKILL');
  await poll(
    "the failover in physics-c's metrics",
    async () =>
      (await counter('physics-c', 'anvil_physics_worlds_acquired_total{how="restored"}')) === 1,
    30_000,
  );
  await poll(
    'the restore after the failover in Jaeger',
    async () =>
      (await worldSpans('world load')).some((tags) => tags['anvil.world.acquired'] === 'restored'),
    30_000,
    500,
  );
  expect((await worldSpans('world takeover')).length).toBeGreaterThanOrEqual(2);
});
