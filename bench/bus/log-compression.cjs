// Reading a world's command log back (readKey, what a restore does) from a topic written with
// gzip against one written without compression, in the same run. The log is written as the
// physics engine writes it: one small publish per world per tick, so each record is a batch of
// its own and gzip saves little but costs a decompression per record on every read. Needs
// `npx nx run bus:build` and `npm run testenv:up`. Run: node bench/bus/run.cjs log-compression
const { randomUUID } = require('node:crypto');

const { median, report } = require('../stats.cjs');

const PARTITIONS = 3;
const WORLDS = 30;
const TICKS = 50;
const RUNS = Number(process.env.LOG_COMPRESSION_RUNS ?? 7);

/** One world's log entry of one tick, about 400 B of JSON like the physics engine's. */
const entry = (createCloudEvent, world, tick) =>
  createCloudEvent({
    type: 'dev.anvil.physics.log-entry.v1',
    source: '/anvil/bench',
    subject: world,
    tick,
    id: `${world}-${tick}`,
    data: {
      seq: tick + 1,
      epoch: 1,
      intents: [{ type: 'move', dx: 1, dy: 0, pad: 'x'.repeat(200) }],
    },
  });

/** Worlds tick on their own, so each publish is a produce request, and a batch, of its own. */
async function writeLog(bus, topic, createCloudEvent) {
  const worlds = Array.from({ length: WORLDS }, (_, i) => `world-${String(i).padStart(2, '0')}`);
  for (let tick = 0; tick < TICKS; tick++) {
    for (const world of worlds)
      await bus.publish(topic, world, [entry(createCloudEvent, world, tick)]);
  }
  return worlds;
}

async function logCompressionBench({ newBus, createCloudEvent, deleteTopics }) {
  const buses = { gzip: newBus({ compression: 'gzip' }), none: newBus({ compression: 'none' }) };
  const topics = {};
  try {
    for (const [name, bus] of Object.entries(buses)) {
      topics[name] = `bench.log-${name}.${randomUUID().slice(0, 8)}`;
      await bus.ensureTopics?.([topics[name]]);
      await writeLog(bus, topics[name], createCloudEvent);
      await bus.readKey(topics[name], 'world-00'); // the reader joins its group
    }
    const times = { gzip: [], none: [] };
    for (let run = 0; run < RUNS; run++) {
      const world = `world-${String(run % WORLDS).padStart(2, '0')}`;
      for (const name of run % 2 === 0 ? ['gzip', 'none'] : ['none', 'gzip']) {
        const start = performance.now();
        const events = await buses[name].readKey(topics[name], world);
        times[name].push(performance.now() - start);
        if (events.length !== TICKS) throw new Error(`${name}: read ${events.length} of ${TICKS}`);
      }
    }
    const row = (name, label) => ({
      written: label,
      'readKey ms': median(times[name]),
      runs: times[name].map((t) => t.toFixed(0)).join(' '),
    });
    const ratio = median(times.none) / median(times.gzip);
    console.log(
      `\nreadKey of one world's log (${TICKS} entries; ${WORLDS * TICKS} single-record batches on ` +
        `${PARTITIONS} partitions); median of ${RUNS}\n`,
    );
    report('bus-log-compression', [row('gzip', 'gzip (baseline)'), row('none', 'uncompressed')], {
      ratio,
      config: { partitions: PARTITIONS, worlds: WORLDS, ticks: TICKS, runs: RUNS },
    });
    console.log(`readKey uncompressed / gzip: ${ratio.toFixed(2)}x`);
  } finally {
    await Promise.all(Object.values(buses).map((bus) => bus.close()));
    await deleteTopics(Object.values(topics));
  }
}

module.exports = { logCompressionBench };
