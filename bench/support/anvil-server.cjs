// The Anvil side of the gateway benchmark: the gateway in this process (BUILT package, default
// config, PGlite storage), the engines in a child process (engines-server.cjs) whose bus events
// arrive over IPC and are published on this process's in-memory bus. Sends { url } to run.cjs
// once the world is ready; answers 'cpu-start' / 'cpu-stop' with the CPU use of both processes.
const { fork } = require('node:child_process');
const path = require('node:path');

const gateway = require(
  path.join(__dirname, '..', '..', 'apps', 'gateway', 'dist', 'bootstrap.js'),
);
const { loadGatewayConfig } = require(
  path.join(__dirname, '..', '..', 'apps', 'gateway', 'dist', 'config', 'gateway-config.js'),
);
const { InMemoryBus } = require('@anvil/bus');

const { JWT_SECRET, ENGINE_TOKEN, WORLD } = process.env;

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

/** One answer of the engines process to a message. */
function ask(child, message, key) {
  return new Promise((resolve) => {
    child.on('message', function onAnswer(m) {
      if (m[key] === undefined) return;
      child.off('message', onAnswer);
      resolve(m[key]);
    });
    child.send(message);
  });
}

async function main() {
  const bus = new InMemoryBus();
  const engines = startEngines();
  engines.child.on(
    'message',
    (m) =>
      m.bus && bus.publish(m.bus.topic, m.bus.key, [m.bus.event]).catch((e) => console.error(e)),
  );
  const interactionAddress = await engines.ready;
  const gw = await gateway.bootstrap({
    config: loadGatewayConfig({
      HOST: '127.0.0.1',
      PORT: '0',
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
  process.send({ url: gw.url });
  let cpuStart;
  process.on('message', async (message) => {
    if (message === 'cpu-start') {
      cpuStart = { usage: process.cpuUsage(), at: performance.now() };
      engines.child.send('cpu-start');
    }
    if (message === 'cpu-stop') {
      const { user, system } = process.cpuUsage(cpuStart.usage);
      const engineCpu = await ask(engines.child, 'cpu-stop', 'cpu');
      process.send({ cpu: (user + system) / 1000 / (performance.now() - cpuStart.at), engineCpu });
    }
    if (message !== 'stop') return;
    await gw.close();
    engines.child.send('stop');
    await new Promise((resolve) => engines.child.once('exit', resolve));
    await bus.close();
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
