// The data plane of one wiring: engines (physics first, then the modules that reach them),
// then the gateway, all in this process, sharing the host's bus and storage. Each app is
// started from its built dist/ with the environment a container would get.
const { requireBuilt, requireFrom } = require('./workspace.cjs');
const { APPS } = require('./wiring.cjs');
const { devEngineToken } = require('./tokens.cjs');

const contract = requireFrom('.', '@anvil/engine-contract');

const SHAPE = { 1: 'ball', 2: 'box' };
const KIND = { 1: 'dynamic', 2: 'kinematic', 3: 'fixed' };

/** A snapshot body as the client protocol has it (docs/client-protocol.md, BodySnapshot). */
function bodyToClient(b) {
  return {
    id: b.bodyId,
    shape: SHAPE[b.shape] || 'ball',
    kind: KIND[b.kind] || 'dynamic',
    hw: b.halfWidthMm,
    hh: b.halfHeightMm,
    x: b.xMm,
    y: b.yMm,
    angle: b.angleMrad,
    vx: b.vxMmS,
    vy: b.vyMmS,
  };
}

/** A small deterministic PRNG, seeded from the world id, so a world's props look the same every run. */
function rng(seedText) {
  let h = 2166136261;
  for (const c of seedText) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts the engines and the gateway of `wiring`. `ctx`: { bus, storage, options, secret,
 * gatewayPort, corsOrigins, log, appLogger }. Returns the running plane.
 */
async function startDataPlane(wiring, ctx) {
  const { bus, log } = ctx;
  const engineToken = devEngineToken(ctx.options.data);
  const access = { token: engineToken, caller: 'embedded-host' };
  const running = new Map(); // endpoint port -> { spec, engine, address }
  const nestLogger = ctx.options.verbose
    ? ['log', 'error', 'warn', 'fatal']
    : ['error', 'warn', 'fatal'];
  const plane = {
    wiring,
    running,
    gateway: undefined,
    clients: new Map(),
    kickers: new Map(),
    worlds: new Map(),
  };
  try {
    // Engines with no dependencies first (physics), then those that reach them.
    const order = [...wiring.engines].sort(
      (a, b) => Object.keys(a.deps).length - Object.keys(b.deps).length || a.port - b.port,
    );
    for (const spec of order) {
      const app = APPS[spec.app];
      const env = {
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(ctx.options.freePorts ? 0 : spec.port),
        BUS: 'memory',
        ENGINE_TOKEN: engineToken,
        ...spec.env,
        ...(app.role === 'physics' && ctx.options.checkpointTicks !== undefined
          ? { CHECKPOINT_EVERY_TICKS: String(ctx.options.checkpointTicks) }
          : {}),
      };
      for (const [variable, port] of Object.entries(spec.deps))
        env[variable] = running.get(port).address;
      const config = requireBuilt(spec.app, app.config)[app.loadConfig](env);
      const { bootstrap } = requireBuilt(spec.app, 'bootstrap');
      let engine;
      try {
        const storage = app.usesStorage ? ctx.storage : undefined;
        engine = await bootstrap({ config, bus, storage, logger: nestLogger });
      } catch (error) {
        throw explainStartError(
          error,
          `${spec.app} for ${spec.module}@${spec.version}`,
          env.GRPC_PORT,
        );
      }
      running.set(spec.port, { spec, engine, address: engine.address, env });
      plane.clients.set(
        spec.port,
        new contract.EngineClient(engine.address, { deadlineMs: 5_000, access }),
      );
      log(
        `  started ${spec.app} for ${spec.module}@${spec.version} on ${engine.address}${
          Object.keys(spec.deps).length
            ? ` (${Object.entries(spec.deps)
                .map(([v]) => `${v}=${env[v]}`)
                .join(', ')})`
            : ''
        }`,
      );
    }
    // The gateway, in front of the interaction engine the worlds' game.interaction binding names.
    const entry = wiring.gatewayPort !== undefined ? running.get(wiring.gatewayPort) : undefined;
    const gatewayEnv = {
      HOST: ctx.options.host,
      PORT: String(ctx.gatewayPort),
      GATEWAY_ID: 'embedded',
      JWT_SECRET: ctx.secret,
      ENGINE_TOKEN: engineToken,
      INTERACTION_ENGINE_ADDRESS: entry ? entry.address : '127.0.0.1:1',
      BUS: 'memory',
      LOG_LEVEL: ctx.options.verbose ? 'info' : 'warn',
      CORS_ORIGINS: ctx.corsOrigins.join(','),
      // Quick cleanup in a demo: a closed tab's player leaves after 5 s.
      DISCONNECT_GRACE_MS: '5000',
    };
    const gatewayConfig = requireBuilt('gateway', 'config/gateway-config').loadGatewayConfig(
      gatewayEnv,
    );
    try {
      plane.gateway = await requireBuilt('gateway', 'bootstrap').bootstrap({
        config: gatewayConfig,
        bus,
        storage: ctx.storage,
      });
    } catch (error) {
      throw explainStartError(error, 'the gateway', gatewayEnv.PORT);
    }
    log(
      `  started gateway on ${plane.gateway.url} (interaction engine ${gatewayEnv.INTERACTION_ENGINE_ADDRESS})`,
    );
  } catch (error) {
    await stopDataPlane(plane, () => undefined);
    throw error;
  }
  return plane;
}

function explainStartError(error, what, port) {
  const message = error && error.message ? error.message : String(error);
  if (/EADDRINUSE|address already in use|No address added out of total/i.test(message)) {
    return new Error(
      `${what} cannot listen on port ${port}: it is in use. Stop what uses it, or run with --free-ports.`,
    );
  }
  return new Error(`${what} did not start: ${message}`);
}

/** Props are the host's own bodies: crates and balls, named `crate-N` / `ball-N`. */
const PROP_ID = /^(crate|ball)-\d+$/;

/**
 * Creates a world on its engines (Init through the interaction engine, which forwards it to the
 * physics engine its binding names). A new world gets some crates and balls, dropped through the
 * physics engine; a world its physics engine restored from a checkpoint already has them (and
 * the players' bodies), so it gets nothing new. Either way one prop is nudged now and then, so
 * the world never comes to rest.
 */
async function initWorld(plane, plan, worldWiring, props) {
  const entry = plane.clients.get(worldWiring.entryPort);
  const physicsService = worldWiring.services.find((s) => s.role === 'physics');
  const physics = physicsService ? plane.clients.get(physicsService.port) : undefined;
  // Init is idempotent: asking the physics engine first tells a new world from a restored one
  // (the interaction engine reports "created" for any world it did not hold itself).
  const fresh = physics ? (await physics.init({ worldId: plan.id })).created : false;
  const init = await entry.init({ worldId: plan.id });
  const info = {
    entryPort: worldWiring.entryPort,
    tick: init.tick,
    tickHz: init.tickHz,
    created: init.created,
    restored: Boolean(physics) && !fresh,
    config: init.config,
    props: [],
  };
  plane.worlds.set(plan.id, info);
  if (!physics) return info;
  const random = rng(plan.id);
  if (fresh) info.props = await spawnProps(physics, plan.id, init.config, props, random);
  else {
    const snap = await physics.snapshot({ worldId: plan.id }, { deadlineMs: 3_000 });
    info.props = snap.bodies.map((b) => b.bodyId).filter((id) => PROP_ID.test(id));
  }
  if (info.props.length > 0) {
    const timer = setInterval(() => {
      const bodyId = info.props[Math.floor(random() * info.props.length)];
      const value = {
        bodyId,
        vxMmS: Math.round((random() - 0.5) * 8_000),
        vyMmS: 3_000 + Math.round(random() * 5_000),
      };
      physics
        .applyCommand({ worldId: plan.id, command: { kind: { $case: 'setVelocity', value } } })
        .catch(() => undefined);
    }, 2_000);
    timer.unref();
    plane.kickers.set(plan.id, timer);
  }
  return info;
}

/** Drops `count` crates and balls into a new world (the same layout every run); returns their ids. */
async function spawnProps(physics, worldId, config, count, random) {
  const width = config?.widthMm || 40_000;
  const height = config?.heightMm || 20_000;
  const ids = [];
  for (let i = 0; i < count; i++) {
    const ball = i % 2 === 1;
    const half = ball ? 300 + Math.round(random() * 350) : 400 + Math.round(random() * 500);
    const body = {
      bodyId: `${ball ? 'ball' : 'crate'}-${i + 1}`,
      kind: contract.BodyKind.BODY_KIND_DYNAMIC,
      shape: ball ? contract.BodyShape.BODY_SHAPE_BALL : contract.BodyShape.BODY_SHAPE_BOX,
      halfWidthMm: half,
      halfHeightMm: half,
      xMm: Math.round(1_500 + random() * (width - 3_000)),
      yMm: Math.round(height * 0.3 + random() * height * 0.55),
      vxMmS: Math.round((random() - 0.5) * 4_000),
      vyMmS: 0,
      lockRotation: false,
    };
    await physics.applyCommand({ worldId, command: { kind: { $case: 'spawnBody', value: body } } });
    ids.push(body.bodyId);
  }
  return ids;
}

/** The world's bodies as the client protocol has them, from its physics engine. */
async function snapshotWorld(plane, worldWiring, worldId) {
  const physicsService = worldWiring.services.find((s) => s.role === 'physics');
  const client = plane.clients.get(physicsService ? physicsService.port : worldWiring.entryPort);
  const snap = await client.snapshot({ worldId }, { deadlineMs: 3_000 });
  return { worldId, tick: snap.tick, bodies: snap.bodies.map(bodyToClient) };
}

/**
 * Stops the prop nudges of a world gone from the folder and closes it on its engines
 * (CloseWorld through the interaction engine, which closes it on its physics engine too), so
 * its simulation stops and its memory is freed; its checkpoints stay until the next start.
 */
async function forgetWorld(plane, worldId) {
  const timer = plane.kickers.get(worldId);
  if (timer) clearInterval(timer);
  plane.kickers.delete(worldId);
  const info = plane.worlds.get(worldId);
  plane.worlds.delete(worldId);
  const entry = info && plane.clients.get(info.entryPort);
  if (entry) await entry.closeWorld({ worldId });
}

/** Stops the gateway, then the engines in reverse start order. Never throws; reports failures through `log`. */
async function stopDataPlane(plane, log) {
  for (const timer of plane.kickers.values()) clearInterval(timer);
  plane.kickers.clear();
  const step = async (what, fn) => {
    try {
      await fn();
    } catch (error) {
      log(`  stopping ${what} failed: ${error && error.message ? error.message : error}`);
    }
  };
  if (plane.gateway) await step('the gateway', () => plane.gateway.close());
  plane.gateway = undefined;
  for (const client of plane.clients.values()) client.close();
  plane.clients.clear();
  const engines = [...plane.running.values()].reverse();
  for (const r of engines) await step(r.spec.app, () => r.engine.close());
  plane.running.clear();
}

module.exports = {
  startDataPlane,
  stopDataPlane,
  initWorld,
  snapshotWorld,
  forgetWorld,
  bodyToClient,
};
