// The Anvil side of the gateway benchmark: the gateway in this process (BUILT package, default
// config, PGlite storage), the engines in a child process (engines-server.cjs) whose bus events
// arrive over IPC and are published on this process's in-memory bus. Sends { url, enginesPid }
// once the world is ready.
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

const { JWT_SECRET, ENGINE_TOKEN, WORLD } = process.env;

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
  onStop(async () => {
    await gw.close();
    engines.child.send('stop');
    await new Promise((resolve) => engines.child.once('exit', resolve));
    await bus.close();
  });
  process.send({ url: gw.url, enginesPid: engines.child.pid });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
