// The engines of the gateway and commands benchmarks, in a process of their own (as in a
// cluster): physics and interaction engines (BUILT packages). With BUS=memory they share one
// in-memory bus whose world events are relayed to the parent (the gateway process) over Node
// IPC, standing in for Kafka between processes; with BUS=kafka each engine publishes to Kafka
// (KAFKA_BROKERS, BUS_TOPIC_PREFIX) itself. Sends { interactionAddress } once the world exists.
// ENGINES=physics or ENGINES=interaction (anvil-server.cjs with BENCH_PROCESS_PER_APP=1) runs one
// engine, its telemetry started first as its main.ts does (app-telemetry.cjs): physics sends
// { physicsAddress }; interaction (PHYSICS_ENGINE_ADDRESS) creates the world as above.
const path = require('node:path');
const { startAppTelemetry } = require('./app-telemetry.cjs');

const ENGINES = process.env.ENGINES || 'both';
if (!['both', 'physics', 'interaction'].includes(ENGINES))
  throw new Error(`ENGINES=${ENGINES}: use physics, interaction or both`);
// Before anything loads gRPC: one service per process, as deployed.
if (ENGINES !== 'both') startAppTelemetry(`${ENGINES}-engine`);

const app = (name, file) => require(path.join(__dirname, '..', '..', 'apps', name, 'dist', file));
const physics = app('physics-engine', 'bootstrap.js');
const { loadPhysicsConfig } = app('physics-engine', 'config/physics-config.js');
const interaction = app('interaction-engine', 'bootstrap.js');
const { loadInteractionConfig } = app('interaction-engine', 'config/interaction-config.js');
const { InMemoryBus, worldTopic } = require('@anvil/bus');
const { EngineClient } = require('@anvil/engine-contract');
const { exitWithParent, onStop } = require('./ipc.cjs');

const { TICK_HZ, WORLD, MAX_PLAYERS, ENGINE_TOKEN, BUS, KAFKA_BROKERS, BUS_TOPIC_PREFIX } =
  process.env;
const busEnv = { BUS, KAFKA_BROKERS, BUS_TOPIC_PREFIX };

// The gateway process is our parent: when it goes, so do we.
exitWithParent();

/** The in-memory bus relayed to the parent, or none (each engine opens its Kafka bus). */
async function relayBus() {
  if (BUS === 'kafka') return undefined;
  const bus = new InMemoryBus();
  for (const kind of ENGINES === 'both' ? ['physics', 'interaction'] : [ENGINES]) {
    await bus.subscribe(
      { topic: worldTopic(kind), group: 'ipc-relay' },
      // A send racing the parent's exit fails; the callback keeps that from being thrown.
      async ({ topic, key, event }) =>
        void (process.connected && process.send({ bus: { topic, key, event } }, () => undefined)),
    );
  }
  return bus;
}

async function startPhysics(bus) {
  return physics.bootstrap({
    config: loadPhysicsConfig({
      ...busEnv,
      ENGINE_TOKEN,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      TICK_HZ,
      TICK_MODE: 'auto',
    }),
    bus,
    logger: ['error'],
  });
}

async function startInteraction(bus, physicsAddress) {
  const inter = await interaction.bootstrap({
    config: loadInteractionConfig({
      ...busEnv,
      ENGINE_TOKEN,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      PHYSICS_ENGINE_ADDRESS: physicsAddress,
      MAX_PLAYERS_PER_WORLD: MAX_PLAYERS,
      PLAYER_RADIUS_MM: '100',
    }),
    bus,
    logger: ['error'],
  });
  // A wide, weightless arena: every player has its own spawn slot and nothing collides.
  const client = new EngineClient(inter.address, {
    access: { token: ENGINE_TOKEN, caller: 'bench' },
  });
  await client.init({
    worldId: WORLD,
    config: { widthMm: 1_000_000, heightMm: 20_000, gravityYMmS2: 0, maxBodies: 0 },
  });
  client.close();
  return inter;
}

async function main() {
  const bus = await relayBus();
  const phys = ENGINES === 'interaction' ? undefined : await startPhysics(bus);
  const inter =
    ENGINES === 'physics'
      ? undefined
      : await startInteraction(bus, phys?.address ?? process.env.PHYSICS_ENGINE_ADDRESS);
  onStop(async () => {
    await inter?.close();
    await phys?.close();
    await bus?.close();
  });
  process.send(inter ? { interactionAddress: inter.address } : { physicsAddress: phys.address });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
