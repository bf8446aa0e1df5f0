// Moving one world (`npm run bench migration`, testenv up): the pause of a handover between two
// physics engines in this process, on the testenv's PostgreSQL (own schema) and Kafka (own topic
// prefix), for worlds of 100 / 1,000 / 5,000 bodies. The pause runs from the owner stopping the
// world to the other engine running it: the owner stops at a tick boundary, saves the checkpoint
// of that tick and releases the lease with the handover (docs/decisions.md, "Moving a world");
// the other acquires it, reads the checkpoint, restores it and writes its epoch marker. The
// baseline, in the same run on the same world: a snapshot and a restore in memory alone (what
// any move must do at least). Each run moves the world the other way, and checks the state
// hash did not change. Medians of BENCH_RUNS (5) moves; ratio = pause / baseline.
const path = require('node:path');
const { Pool } = require('pg');
const { median, percentile, report } = require('../stats.cjs');
const { readTestenv } = require('../../tools/jest/testenv-file.cjs');
const { dropRun, testenvKafka } = require('../support/kafka.cjs');

const ROOT = path.join(__dirname, '..', '..');
const dist = (p) => path.join(ROOT, 'apps', 'physics-engine', 'dist', p);
const { bootstrap } = require(dist('bootstrap.js'));
const { loadPhysicsConfig } = require(dist('config/physics-config.js'));
const { WorldSimulation } = require(dist('simulation/world-simulation.js'));
const { loadRapier } = require(dist('simulation/rapier.js'));
const { worldSettingsToWire } = require('@anvil/engine-contract');

const SIZES = (process.env.BENCH_BODIES ?? '100,1000,5000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HZ = 60;
const SPAWN_BATCH = 1_000;

/** Balls on a grid in a 100 m wide world, spawned `SPAWN_BATCH` per tick. */
async function fill(engine, worldId, bodies) {
  for (let i = 0; i < bodies; i += SPAWN_BATCH) {
    for (let j = i; j < Math.min(bodies, i + SPAWN_BATCH); j++) {
      await engine.worlds.apply(worldId, {
        type: 'spawnBody',
        body: {
          id: `b${j}`,
          kind: 'dynamic',
          shape: 'ball',
          halfWidthMm: 100,
          halfHeightMm: 100,
          xMm: 1_000 + (j % 200) * 450,
          yMm: 300 + Math.floor(j / 200) * 450,
          vxMmS: 0,
          vyMmS: 0,
          lockRotation: false,
        },
      });
    }
    const { sim } = engine.worlds.get(worldId);
    await engine.worlds.tick(worldId, sim.tick + 1);
  }
  const { sim } = engine.worlds.get(worldId);
  await engine.worlds.tick(worldId, sim.tick + 30);
}

const elapsed = (start) => Number(process.hrtime.bigint() - start) / 1e6;

async function main() {
  const env = readTestenv();
  if (!env.DATABASE_URL) throw new Error('testenv has no DATABASE_URL: run `npm run testenv:up`');
  const { brokers } = await testenvKafka();
  const run = `bench_migration_${Date.now().toString(36)}`;
  const url = new URL(env.DATABASE_URL);
  url.searchParams.set('schema', run);
  const config = (replica) =>
    loadPhysicsConfig({
      ENGINE_TOKEN: 'bench-migration-engine-token',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      TICK_MODE: 'manual',
      TICK_HZ: String(HZ),
      BUS: 'kafka',
      KAFKA_BROKERS: brokers.join(','),
      BUS_TOPIC_PREFIX: run,
      DATABASE_URL: url.toString(),
      REPLICA_ID: replica,
      MAX_BODIES_PER_WORLD: '10000',
      MAX_BODIES_TOTAL: '100000',
      LOG_LEVEL: 'warn',
    });
  const engines = [];
  const rows = [];
  try {
    for (const replica of ['bench-a', 'bench-b'])
      engines.push(await bootstrap({ config: config(replica), logger: ['error'] }));
    const rapier = await loadRapier();
    for (const bodies of SIZES) {
      const worldId = `migration-${bodies}`;
      const wire = worldSettingsToWire({
        widthMm: 100_000,
        heightMm: 200_000,
        gravityYMmS2: -9_810,
        maxBodies: bodies,
      });
      await engines[0].worlds.init(worldId, wire, 'bench', true);
      await fill(engines[0], worldId, bodies);
      const pauses = [];
      const baselines = [];
      for (let i = 0; i < RUNS; i++) {
        const [from, to] = i % 2 === 0 ? engines : [engines[1], engines[0]];
        const before = from.worlds.get(worldId).sim;
        const expected = { tick: before.tick, hash: before.stateHash() };

        let start = process.hrtime.bigint();
        const snap = before.snapshot();
        const copy = WorldSimulation.restore(rapier, snap.state, {
          dtSeconds: 1 / HZ,
          maxQueuedIntents: 4_096,
        });
        baselines.push(elapsed(start));
        copy.free();

        start = process.hrtime.bigint();
        const handover = await from.worlds.handOver(worldId);
        const { runtime } = await to.worlds.init(worldId, wire, 'bench', true);
        pauses.push(elapsed(start));
        const after = { tick: runtime.sim.tick, hash: runtime.sim.stateHash() };
        if (!handover || after.tick !== expected.tick || after.hash !== expected.hash) {
          throw new Error(
            `move ${i} of ${worldId}: handover ${JSON.stringify(handover)}, state ${JSON.stringify(after)}, expected ${JSON.stringify(expected)}`,
          );
        }
      }
      const pause = median(pauses);
      const baseline = median(baselines);
      rows.push({
        bodies,
        'move p50 ms': pause,
        'move max ms': percentile(pauses, 100),
        'snapshot+restore p50 ms': baseline,
        ratio: pause / baseline,
        'move p50 ticks (60 Hz)': pause / (1000 / HZ),
      });
    }
  } finally {
    for (const engine of engines) await engine.close().catch(() => undefined);
    const pool = new Pool({ connectionString: env.DATABASE_URL });
    await pool.query(`DROP SCHEMA IF EXISTS "${run}" CASCADE`).catch(() => undefined);
    await pool.end();
    await dropRun(brokers, run).catch(() => undefined);
  }
  report('migration', rows, { runs: RUNS, hz: HZ });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
