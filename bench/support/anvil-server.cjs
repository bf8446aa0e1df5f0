// The Anvil side of the gateway and commands benchmarks: the gateway in this process (BUILT
// package, default config, PGlite storage), the engines in a child process (engines-server.cjs).
// With BUS=memory the engines' bus events arrive over IPC and are published on this process's
// in-memory bus; with BUS=kafka the gateway reads them from Kafka (KAFKA_BROKERS,
// BUS_TOPIC_PREFIX). Sends { url, enginesPid } once the world is ready.
const { fork } = require('node:child_process');
const path = require('node:path');

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

function startEngines() {
  const child = fork(path.join(__dirname, 'engines-server.cjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    child.on('message', (m) => m.interactionAddress && resolve(m.interactionAddress));
    child.once('exit', (code) => reject(new Error(`engines exited with ${code}`)));
  });
  return { child, ready };
}

/** The in-memory bus the engines' events are relayed onto, or none with Kafka. */
function relayedBus(engines) {
  if (BUS === 'kafka') return undefined;
  const bus = new InMemoryBus();
  engines.on(
    'message',
    (m) =>
      m.bus && bus.publish(m.bus.topic, m.bus.key, [m.bus.event]).catch((e) => console.error(e)),
  );
  return bus;
}

async function main() {
  const engines = startEngines();
  const bus = relayedBus(engines.child);
  const interactionAddress = await engines.ready;
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
    engines.child.send('stop');
    await new Promise((resolve) => engines.child.once('exit', resolve));
    await bus?.close();
  });
  process.send({ url: gw.url, enginesPid: engines.child.pid });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
