// Physics tick benchmark (`npm run bench physics`): our per-tick work (Rapier step + quantised
// delta extraction + one CloudEvent published to the InMemoryBus) against a bare Rapier
// `world.step()` of the same scene in the same run. Both worlds start from the same Rapier
// snapshot and are deterministic, so they evolve identically; ticks are interleaved (bare,
// ours, bare, ours ...) so machine noise hits both alike. Uses the BUILT packages.
const path = require('node:path');
const { median, percentile, report } = require('../stats.cjs');

const dist = (p) => path.join(__dirname, '..', '..', 'apps', 'physics-engine', 'dist', p);
const { loadRapier } = require(dist('simulation/rapier.js'));
const { WorldSimulation } = require(dist('simulation/world-simulation.js'));
const { decodeState } = require(dist('simulation/state-codec.js'));
const { DeltaPublisher } = require(dist('worlds/delta-publisher.js'));
const { InMemoryBus } = require('@anvil/bus');

const SIZES = (process.env.BENCH_BODIES ?? '1000,5000').split(',').map(Number);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);
const TICKS = Number(process.env.BENCH_TICKS ?? 200);
/** Unmeasured ticks between the `falling` and the `settled` phase. */
const SETTLE = Number(process.env.BENCH_SETTLE ?? 600);
const HZ = 60;

/** Wall time of one call, ms (per tick, so the two worlds can be interleaved). */
async function timeOnce(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Balls of radius 100 mm in a grid above the floor of a 100 m wide world. */
function buildScene(rapier, bodies) {
  const settings = { widthMm: 100_000, heightMm: 200_000, gravityYMmS2: -9_810, maxBodies: bodies };
  const sim = WorldSimulation.create(rapier, settings, {
    dtSeconds: 1 / HZ,
    maxQueuedIntents: bodies,
  });
  const perRow = 200;
  for (let i = 0; i < bodies; i++) {
    const xMm = 1_000 + (i % perRow) * 450 + (Math.floor(i / perRow) % 2) * 100;
    const yMm = 300 + Math.floor(i / perRow) * 450;
    sim.enqueue({
      type: 'spawnBody',
      body: {
        id: `b${i}`,
        kind: 'dynamic',
        shape: 'ball',
        halfWidthMm: 100,
        halfHeightMm: 100,
        xMm,
        yMm,
        vxMmS: 0,
        vyMmS: 0,
        lockRotation: false,
      },
    });
  }
  sim.step(); // applies the spawns
  const bare = rapier.World.restoreSnapshot(decodeState(sim.snapshot().state).rapierSnapshot);
  return { sim, bare };
}

/** Runs `ticks` interleaved ticks of both worlds, measuring the last `measured` of them. */
async function phase(world, ticks, measured) {
  const bareTimes = [];
  const ourTimes = [];
  let changed = 0;
  world.publishTimes.length = 0;
  // Collect what the setup left (thousands of spawn intents, the snapshot and its copies) before
  // measuring: otherwise the major GC it triggers lands in the measured ticks, as incremental
  // marking steps inside "ours", the only side that allocates. (npm run bench passes --expose-gc.)
  global.gc?.();
  for (let i = 0; i < ticks; i++) {
    const b = await timeOnce(world.baseline);
    const o = await timeOnce(world.ours);
    if (i >= ticks - measured) {
      bareTimes.push(b);
      ourTimes.push(o);
      changed += world.lastChanged();
    }
  }
  return { bareTimes, ourTimes, changed, publishTimes: world.publishTimes.slice(-measured) };
}

function row(bodies, name, { bareTimes, ourTimes, changed, publishTimes }) {
  const bareMedian = median(bareTimes);
  const ourMedian = median(ourTimes);
  return {
    bodies,
    phase: name,
    ticks: bareTimes.length,
    'bare step ms (median)': bareMedian,
    'anvil tick ms (median)': ourMedian,
    ratio: ourMedian / bareMedian,
    'overhead ms': ourMedian - bareMedian,
    'of which publish ms': median(publishTimes),
    'bare p95': percentile(bareTimes, 95),
    'anvil p95': percentile(ourTimes, 95),
    'changed bodies/tick': changed / bareTimes.length,
  };
}

async function measure(rapier, bodies) {
  const { sim, bare } = buildScene(rapier, bodies);
  const bus = new InMemoryBus();
  const publisher = new DeltaPublisher(bus, 'bench', (error) => {
    throw error;
  });
  let last = 0;
  const world = {
    publishTimes: [],
    ours: async () => {
      const result = sim.step();
      last = result.changed.length;
      const start = process.hrtime.bigint();
      publisher.publish(result);
      await publisher.flush();
      world.publishTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    },
    baseline: async () => bare.step(),
    lastChanged: () => last,
  };
  const falling = await phase(world, WARMUP + TICKS, TICKS);
  const settled = await phase(world, SETTLE + TICKS, TICKS);
  const stats = publisher.stats();
  if (stats.failed) throw new Error(`${stats.failed} publishes failed`);
  await bus.close();
  sim.free();
  bare.free();
  return [row(bodies, 'falling', falling), row(bodies, 'settled', settled)];
}

async function main() {
  const rapier = await loadRapier();
  const rows = [];
  for (const bodies of SIZES) rows.push(...(await measure(rapier, bodies)));
  report('physics', rows, {
    goal: 'ratio < 1.3',
    hz: HZ,
    warmupTicks: WARMUP,
    settleTicks: SETTLE,
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
