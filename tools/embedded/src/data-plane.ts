// The data plane of one wiring: engines (physics first, then the modules that reach them),
// then the gateway, all in this process, sharing the host's bus and storage. Each app is
// started through its package's public entry point (bootstrap and its config loader) with the
// environment a container would get.
import * as analyticsApp from '@anvil/analytics';
import type { EventBus } from '@anvil/bus';
import { EngineClient } from '@anvil/engine-contract';
import * as gatewayApp from '@anvil/gateway';
import * as interactionApp from '@anvil/interaction-engine';
import * as physicsApp from '@anvil/physics-engine';
import * as tagApp from '@anvil/tag-game';
import type { Storage } from '@anvil/storage';
import { APPS, type AppName } from './apps';
import type { Options } from './options';
import { ReplicaSet } from './replicas';
import { devEngineToken } from './tokens';
import type { EngineSpec, SinkSpec, Wiring } from './wiring';
import { messageOf } from './workspace';

/** One engine running in this process. */
export interface RunningEngine {
  spec: EngineSpec;
  address: string;
  env: Record<string, string>;
  close(): Promise<void>;
  /** A physics engine's replicas (`--replicas`); `address` is where callers reach the module. */
  replicas?: ReplicaSet;
}

/** One sink (the analytics module) running in this process. */
export interface RunningSink {
  spec: SinkSpec;
  url: string;
  close(): Promise<void>;
}

/** The running apps of one wiring, and a client of each engine. */
export interface Plane {
  wiring: Wiring;
  /** Endpoint port -> engine. */
  running: Map<number, RunningEngine>;
  /** Endpoint port -> sink. */
  sinks: Map<number, RunningSink>;
  clients: Map<number, EngineClient>;
  gateway: gatewayApp.RunningGateway | undefined;
}

export interface PlaneContext {
  bus: EventBus;
  storage: Storage;
  options: Options;
  secret: string;
  gatewayPort: number;
  corsOrigins: string[];
  log: (line: string) => void;
}

type NestLevels = Array<'log' | 'error' | 'warn' | 'fatal'>;

/** Starts one engine's app from its package with `env` (validated by its own config schema). */
async function bootstrapApp(
  app: Exclude<AppName, 'physics-engine'>,
  env: Record<string, string>,
  ctx: PlaneContext,
  logger: NestLevels,
) {
  if (app === 'tag-game')
    return tagApp.bootstrap({ config: tagApp.loadTagConfig(env), bus: ctx.bus, logger });
  const config = interactionApp.loadInteractionConfig(env);
  return interactionApp.bootstrap({ config, bus: ctx.bus, logger });
}

function engineEnv(spec: EngineSpec, running: Plane['running'], ctx: PlaneContext, token: string) {
  const env: Record<string, string> = {
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(ctx.options.freePorts ? 0 : spec.port),
    BUS: 'memory',
    ENGINE_TOKEN: token,
    ...spec.env,
  };
  if (APPS[spec.app].role === 'physics' && ctx.options.checkpointTicks !== undefined)
    env.CHECKPOINT_EVERY_TICKS = String(ctx.options.checkpointTicks);
  for (const [variable, port] of Object.entries(spec.deps))
    env[variable] = (running.get(port) as RunningEngine).address;
  return env;
}

/** Starts the engines and the gateway of `wiring`; stops what started when one fails. */
export async function startDataPlane(wiring: Wiring, ctx: PlaneContext): Promise<Plane> {
  const token = devEngineToken(ctx.options.data);
  const access = { token, caller: 'embedded-host' };
  const logger: NestLevels = ctx.options.verbose
    ? ['log', 'error', 'warn', 'fatal']
    : ['error', 'warn', 'fatal'];
  const plane: Plane = {
    wiring,
    running: new Map(),
    sinks: new Map(),
    clients: new Map(),
    gateway: undefined,
  };
  try {
    // Engines with no dependencies first (physics), then those that reach them.
    const deps = (e: EngineSpec) => Object.keys(e.deps).length;
    const order = [...wiring.engines].sort((a, b) => deps(a) - deps(b) || a.port - b.port);
    for (const spec of order) {
      const env = engineEnv(spec, plane.running, ctx, token);
      const what = `${spec.app} for ${spec.module}@${spec.version}`;
      const client = (address: string) => new EngineClient(address, { deadlineMs: 5_000, access });
      const engine = await (
        spec.app === 'physics-engine'
          ? startReplicas(spec, env, ctx, logger, client)
          : bootstrapApp(spec.app, env, ctx, logger)
      ).catch((error: unknown) => {
        throw explainStartError(error, what, env.GRPC_PORT);
      });
      const replicas = engine instanceof ReplicaSet ? engine : undefined;
      plane.running.set(spec.port, {
        spec,
        address: engine.address,
        env,
        close: () => engine.close(),
        replicas,
      });
      plane.clients.set(spec.port, client(engine.address));
      const wired = Object.keys(spec.deps).map((v) => `${v}=${env[v]}`);
      if (replicas && replicas.count > 1)
        wired.push(
          `replicas ${replicas
            .list([])
            .map((r) => `${r.id} on ${r.address}`)
            .join(', ')}`,
        );
      ctx.log(
        `  started ${what} on ${engine.address}${wired.length ? ` (${wired.join(', ')})` : ''}`,
      );
    }
    plane.gateway = await startGateway(plane, ctx, token);
    for (const spec of wiring.sinks) plane.sinks.set(spec.port, await startSink(spec, ctx));
  } catch (error) {
    await stopDataPlane(plane, () => undefined);
    throw error;
  }
  return plane;
}

/**
 * A physics module's replicas (`--replicas`, docs/embedded.md "Physics replicas"): each its own
 * engine on the host's bus and storage, so they own worlds under leases as in a cluster.
 */
function startReplicas(
  spec: EngineSpec,
  env: Record<string, string>,
  ctx: PlaneContext,
  logger: NestLevels,
  client: (address: string) => EngineClient,
): Promise<ReplicaSet> {
  return ReplicaSet.start({
    spec,
    count: ctx.options.replicas,
    env,
    start: (replicaEnv) =>
      physicsApp.bootstrap({
        config: physicsApp.loadPhysicsConfig(replicaEnv),
        bus: ctx.bus,
        storage: ctx.storage,
        logger,
      }),
    client,
    log: ctx.log,
  });
}

/**
 * The gateway, in front of every game module: each world's record names its own (the entry
 * binding); INTERACTION_ENGINE_ADDRESS is only the default.
 */
async function startGateway(plane: Plane, ctx: PlaneContext, token: string) {
  const { defaultEntryPort } = plane.wiring;
  const entry = defaultEntryPort !== undefined ? plane.running.get(defaultEntryPort) : undefined;
  const env = {
    HOST: ctx.options.host,
    PORT: String(ctx.gatewayPort),
    GATEWAY_ID: 'embedded',
    JWT_SECRET: ctx.secret,
    ENGINE_TOKEN: token,
    INTERACTION_ENGINE_ADDRESS: entry ? entry.address : '127.0.0.1:1',
    BUS: 'memory',
    LOG_LEVEL: ctx.options.verbose ? 'info' : 'warn',
    CORS_ORIGINS: ctx.corsOrigins.join(','),
    // Quick cleanup in a demo: a closed tab's player leaves after 5 s.
    DISCONNECT_GRACE_MS: '5000',
  };
  const config = gatewayApp.loadGatewayConfig(env);
  const gateway = await gatewayApp
    .bootstrap({ config, bus: ctx.bus, storage: ctx.storage })
    .catch((error: unknown) => {
      throw explainStartError(error, 'the gateway', env.PORT);
    });
  ctx.log(
    `  started gateway on ${gateway.url} (each world's game module from its record; default ${env.INTERACTION_ENGINE_ADDRESS})`,
  );
  return gateway;
}

/** A sink on the host's bus and storage: it reads the same topics as it would on Kafka. */
async function startSink(spec: SinkSpec, ctx: PlaneContext): Promise<RunningSink> {
  const env = {
    HOST: '127.0.0.1',
    PORT: String(ctx.options.freePorts ? 0 : spec.port),
    BUS: 'memory',
    LOG_LEVEL: ctx.options.verbose ? 'info' : 'warn',
  };
  const what = `${spec.app} for ${spec.module}@${spec.version}`;
  const sink = await analyticsApp
    .bootstrap({
      config: analyticsApp.loadAnalyticsConfig(env),
      bus: ctx.bus,
      storage: ctx.storage,
    })
    .catch((error: unknown) => {
      throw explainStartError(error, what, env.PORT);
    });
  ctx.log(`  started ${what} on ${sink.url} (figures of ${spec.worlds.join(', ')})`);
  return { spec, url: sink.url, close: () => sink.close() };
}

function explainStartError(error: unknown, what: string, port: string): Error {
  const message = messageOf(error);
  if (/EADDRINUSE|address already in use|No address added out of total/i.test(message))
    return new Error(
      `${what} cannot listen on port ${port}: it is in use. Stop what uses it, or run with --free-ports.`,
    );
  return new Error(`${what} did not start: ${message}`);
}

/** Stops the gateway, then the engines in reverse start order. Never throws; reports through `log`. */
export async function stopDataPlane(plane: Plane, log: (line: string) => void): Promise<void> {
  const step = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      log(`  stopping ${what} failed: ${messageOf(error)}`);
    }
  };
  for (const sink of [...plane.sinks.values()].reverse())
    await step(sink.spec.app, () => sink.close());
  plane.sinks.clear();
  const gateway = plane.gateway;
  if (gateway) await step('the gateway', () => gateway.close());
  plane.gateway = undefined;
  for (const client of plane.clients.values()) client.close();
  plane.clients.clear();
  for (const r of [...plane.running.values()].reverse()) await step(r.spec.app, () => r.close());
  plane.running.clear();
}
