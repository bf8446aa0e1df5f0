// The Anvil side of the gateway and commands benchmarks: the gateway in this process (BUILT
// package, default config, PGlite storage), the engines in a child process (engines-server.cjs).
// With BUS=memory the engines' bus events arrive over IPC and are published on this process's
// in-memory bus; with BUS=kafka the gateway reads them from Kafka (KAFKA_BROKERS,
// BUS_TOPIC_PREFIX). Sends { url, enginesPid } once the world is ready.
// BENCH_PROCESS_PER_APP=1 runs each app in a process of its own, as deployed: the physics engine
// and the interaction engine too (engines-server.cjs with ENGINES=physics / interaction), and
// each process starts its app's telemetry first, as the app's main.ts does (app-telemetry.cjs:
// tracing is on only when OTEL_* variables configure an exporter); enginesPid is then both
// engines' pids, [physics, interaction].
const { fork } = require('node:child_process');
const path = require('node:path');
const { startAppTelemetry } = require('./app-telemetry.cjs');

const PER_APP = process.env.BENCH_PROCESS_PER_APP === '1';
// Before anything loads http or gRPC.
if (PER_APP) startAppTelemetry('gateway');

const gateway = require(
  path.join(__dirname, '..', '..', 'apps', 'gateway', 'dist', 'bootstrap.js'),
);
const { loadGatewayConfig } = require(
  path.join(__dirname, '..', '..', 'apps', 'gateway', 'dist', 'config', 'gateway-config.js'),
);
const { InMemoryBus } = require('@anvil/bus');
const { exitWithParent, onStop } = require('./ipc.cjs');

const { JWT_SECRET, ENGINE_TOKEN, WORLD, BUS, BUS_TOPIC_PREFIX } = process.env;
/** Gateway settings a benchmark may pass through (the rest keep their defaults). */
const PASSED = [
  'BUS',
  'KAFKA_BROKERS',
  'BUS_TOPIC_PREFIX',
  'RATE_LIMIT_PER_SECOND',
  'RATE_LIMIT_BURST',
];

exitWithParent();

/**
 * Starts engines-server.cjs as `engines` (see there), its bus events relayed onto `bus` (none
 * with Kafka) from its first message on; `ready` resolves with the address it sends.
 */
function startEngines(bus, engines = 'both', env = {}) {
  const child = fork(path.join(__dirname, 'engines-server.cjs'), [], {
    env: { ...process.env, ENGINES: engines, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (m) => {
    if (m.bus && bus)
      bus.publish(m.bus.topic, m.bus.key, [m.bus.event]).catch((e) => console.error(e));
    // Its telemetry warnings (dropped spans, failed exports) go on to the benchmark.
    else if (m.telemetry) process.send(m, () => undefined);
  });
  const ready = new Promise((resolve, reject) => {
    child.on('message', (m) => {
      const address = m.interactionAddress ?? m.physicsAddress;
      if (address) resolve(address);
    });
    child.once('exit', (code) => reject(new Error(`engines exited with ${code}`)));
  });
  return { child, ready };
}

/**
 * The engines, in one process or (BENCH_PROCESS_PER_APP) physics, then interaction:
 * { children, interactionAddress }.
 */
async function startAllEngines(bus) {
  if (!PER_APP) {
    const engines = startEngines(bus);
    return { children: [engines.child], interactionAddress: await engines.ready };
  }
  const physics = startEngines(bus, 'physics');
  const children = [physics.child];
  const physicsAddress = await physics.ready;
  const interaction = startEngines(bus, 'interaction', { PHYSICS_ENGINE_ADDRESS: physicsAddress });
  children.push(interaction.child);
  return { children, interactionAddress: await interaction.ready };
}

/** Stops an engines process and waits for it to exit. */
function stopEngines(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  return exited;
}

async function main() {
  // The in-memory bus the engines' events are relayed onto, or none with Kafka.
  const bus = BUS === 'kafka' ? undefined : new InMemoryBus();
  const { children, interactionAddress } = await startAllEngines(bus);
  const passed = Object.fromEntries(PASSED.map((name) => [name, process.env[name]]));
  const gw = await gateway.bootstrap({
    config: loadGatewayConfig({
      ...passed,
      HOST: '127.0.0.1',
      PORT: '0',
      // Its consumer groups carry the run's prefix, so the benchmark can delete them.
      GATEWAY_ID: BUS_TOPIC_PREFIX,
      JWT_SECRET,
      ENGINE_TOKEN,
      INTERACTION_ENGINE_ADDRESS: interactionAddress,
      LOG_LEVEL: 'warn',
      DISCONNECT_GRACE_MS: '0',
    }),
    bus,
  });
  await gw.storage.worlds.upsert({
    id: WORLD,
    namespace: 'bench',
    name: WORLD,
    game: 'arena',
    region: 'local',
    shards: 1,
    phase: 'Ready',
  });
  onStop(async () => {
    await gw.close();
    // The interaction engine before the physics engine it calls.
    for (const child of [...children].reverse()) await stopEngines(child);
    await bus?.close();
  });
  const pids = children.map((child) => child.pid);
  process.send({ url: gw.url, enginesPid: PER_APP ? pids : pids[0] });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
