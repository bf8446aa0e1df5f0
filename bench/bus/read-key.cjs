// KafkaBus.readKey under concurrency: N calls at once (N = 1, 4, 10, 30), each for another key
// of a 3-partition topic holding 300 records of 30 keys, as when a physics replica takes a dead
// replica's worlds over or many worlds start together. Baseline in the same run: the first
// implementation (one throwaway consumer per call, in a fresh group, reading the whole topic from
// the beginning until the key's partition reaches its end), kept below as plain kafkajs.
// Old and new runs alternate so both see the same machine noise. Needs `npx nx run bus:build`
// and `npm run testenv:up`. Run: node bench/bus/run.cjs read-key
const { randomUUID } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');

const { median, report } = require('../stats.cjs');

const PARTITIONS = 3;
const KEYS = 30;
const RECORDS_PER_KEY = 10;
const CONCURRENCY = [1, 4, 10, 30];
const RUNS = Number(process.env.READ_KEY_RUNS ?? 5);

/** The first readKey (before reads were coalesced into rounds), as it was. */
async function oldReadKey({ kafka, admin, parseCloudEvent, partitionForKey }, topic, key) {
  if (!(await admin.listTopics()).includes(topic)) return [];
  const offsets = await admin.fetchTopicOffsets(topic);
  const partition = partitionForKey(key, offsets.length);
  const bounds = offsets.find((o) => o.partition === partition);
  const low = Number(bounds?.low ?? 0);
  const high = Number(bounds?.high ?? 0);
  if (high <= low) return [];
  const consumer = kafka.consumer({ groupId: `anvil-read-${randomUUID()}` });
  const events = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout')), 60_000);
      const done = (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      consumer.on(consumer.events.CRASH, ({ payload }) => done(payload.error));
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition: p, message }) => {
            if (p !== partition) return;
            if (message.key?.toString('utf8') === key)
              events.push(parseCloudEvent(message.value ?? ''));
            if (Number(message.offset) >= high - 1) done();
          },
        })
        .catch(done);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return events;
}

/** N calls at once; resolves to the wall time (ms) until the last answered. Checks every answer. */
async function timeConcurrent(read, topic, keys) {
  const start = process.hrtime.bigint();
  const results = await Promise.all(keys.map((key) => read(topic, key)));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  results.forEach((events, i) => {
    const ticks = events.map((e) => e.tick).join(',');
    const want = Array.from({ length: RECORDS_PER_KEY }, (_, t) => t).join(',');
    if (events.some((e) => e.subject !== keys[i]) || ticks !== want)
      throw new Error(`readKey(${keys[i]}) returned ${events.length} wrong events: ${ticks}`);
  });
  return ms;
}

/** One call from a client that has not read yet (a process that just started): connects included. */
async function timeCold(name, { brokers, newBus, parseCloudEvent, partitionForKey }, topic, key) {
  if (name === 'new') {
    const bus = newBus();
    try {
      return await timeConcurrent((t, k) => bus.readKey(t, k), topic, [key]);
    } finally {
      await bus.close();
    }
  }
  const kafka = new Kafka({ brokers, clientId: 'bench-read-key-cold', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    const deps = { kafka, admin, parseCloudEvent, partitionForKey };
    return await timeConcurrent(
      async (t, k) => {
        await admin.connect();
        return oldReadKey(deps, t, k);
      },
      topic,
      [key],
    );
  } finally {
    await admin.disconnect();
  }
}

async function readKeyBench({ env, newBus, createCloudEvent, parseCloudEvent, partitionForKey }) {
  const brokers = env.KAFKA_BROKERS.split(',');
  const kafka = new Kafka({ brokers, clientId: 'bench-read-key-old', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const bus = newBus();
  const topic = `bench.readkey.${randomUUID().slice(0, 8)}`;
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS }],
      waitForLeaders: true,
    });
    const keys = Array.from({ length: KEYS }, (_, i) => `world-${String(i).padStart(2, '0')}`);
    const counts = new Map();
    for (const key of keys) {
      const p = partitionForKey(key, PARTITIONS);
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    // Ticks interleaved across keys, as a live log is; one publish per tick of every key.
    for (let tick = 0; tick < RECORDS_PER_KEY; tick++) {
      await Promise.all(
        keys.map((key) =>
          bus.publish(topic, key, [
            createCloudEvent({
              type: 'dev.anvil.bench.v1',
              source: '/anvil/bench',
              subject: key,
              tick,
              id: `${key}-${tick}`,
              data: { pad: 'x'.repeat(200) },
            }),
          ]),
        ),
      );
    }
    const deps = { kafka, admin, parseCloudEvent, partitionForKey };
    const impls = {
      old: (t, k) => oldReadKey(deps, t, k),
      new: (t, k) => bus.readKey(t, k),
    };
    // Warm-up: connections, JIT.
    await timeConcurrent(impls.old, topic, keys.slice(0, 1));
    await timeConcurrent(impls.new, topic, keys.slice(0, 1));
    const rows = [];
    const row = (concurrent, times) => ({
      concurrent,
      'old ms': median(times.old),
      'new ms': median(times.new),
      'new/old': median(times.new) / median(times.old),
      'old runs': times.old.map((t) => t.toFixed(0)).join(' '),
      'new runs': times.new.map((t) => t.toFixed(0)).join(' '),
    });
    const cold = { old: [], new: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const name of run % 2 === 0 ? ['old', 'new'] : ['new', 'old'])
        cold[name].push(
          await timeCold(
            name,
            { brokers, newBus, parseCloudEvent, partitionForKey },
            topic,
            keys[run],
          ),
        );
    }
    rows.push(row('1, new client', cold));
    for (const n of CONCURRENCY) {
      const times = { old: [], new: [] };
      for (let run = 0; run < RUNS; run++) {
        // Another set of keys each run where there are enough, always spread over the partitions.
        const chosen = Array.from({ length: n }, (_, i) => keys[(i + run * n) % KEYS]);
        const order = run % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
        for (const name of order)
          times[name].push(await timeConcurrent(impls[name], topic, chosen));
      }
      rows.push(row(String(n), times));
      console.log(
        `${n} at once: old ${median(times.old).toFixed(0)} ms, new ${median(times.new).toFixed(0)} ms`,
      );
    }
    console.log(
      `\nwall time until all N concurrent readKey calls answered (a warm client; "new client": ` +
        `its first call, connecting included); ${KEYS * RECORDS_PER_KEY} records of ${KEYS} keys on ` +
        `${PARTITIONS} partitions (${[...counts.values()].join('/')} keys each); median of ${RUNS}\n`,
    );
    report('bus-read-key', rows, {
      config: { partitions: PARTITIONS, keys: KEYS, recordsPerKey: RECORDS_PER_KEY, runs: RUNS },
    });
  } finally {
    await bus.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

module.exports = { readKeyBench };
