#!/usr/bin/env node
// KafkaBus publish throughput against Kafka's own producer benchmark on the same broker, in the
// same run: `org.apache.kafka.tools.ProducerPerformance` with the same guarantees (acks=all,
// idempotence, gzip) and the same record size; then concurrent readKey calls against the first
// readKey implementation (read-key.cjs); then reading a command log back written with gzip
// against uncompressed (log-compression.cjs). Needs `npx nx run bus:build` and
// `npm run testenv:up`. Run: node bench/bus/run.cjs [publish|read-key|log-compression] (all when
// none is named).
const { spawnSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');

const { median, report } = require('../stats.cjs');
const { readTestenv } = require('../../tools/jest/testenv-file.cjs');
const { logCompressionBench } = require('./log-compression.cjs');
const { readKeyBench } = require('./read-key.cjs');

const EVENTS = 50_000;
// The whole record value: about 200 B of data in a CloudEvent envelope of about 200 B. The Java
// baseline sends records of the same size.
const RECORD_BYTES = 400;
const EVENTS_PER_PUBLISH = 100;
const WORLDS = 64;
const PARTITIONS = 6;
const RUNS = 3;
// A second Java run batching like KafkaBus does (about 1 MB per request), so the comparison is not
// only against the Java producer's small default batches (16 KB, no linger).
const TUNED = ['batch.size=1048576', 'linger.ms=5'];

function loadBus() {
  try {
    return { ...require('@anvil/bus'), ...require('@anvil/bus/kafka') };
  } catch (error) {
    console.error(
      `cannot load the built @anvil/bus (${error.message}); run \`npx nx run bus:build\` first`,
    );
    process.exit(1);
  }
}

/** EVENTS events of WORLDS worlds, each serialising to exactly RECORD_BYTES of JSON. */
function makeEvents(createCloudEvent) {
  const time = '2026-11-24T00:00:00.000Z';
  return Array.from({ length: EVENTS }, (_, i) => {
    const world = `world-${String(i % WORLDS).padStart(2, '0')}`;
    const fields = {
      type: 'dev.anvil.bench.v1',
      source: '/anvil/bench',
      subject: world,
      tick: i,
      time,
    };
    const bare = createCloudEvent({ ...fields, id: `e${i}`, data: { pad: '' } });
    const pad = 'x'.repeat(RECORD_BYTES - Buffer.byteLength(JSON.stringify(bare)));
    return createCloudEvent({ ...fields, id: `e${i}`, data: { pad } });
  });
}

/** Publishes every event in calls of EVENTS_PER_PUBLISH (one world each), all in flight at once. */
async function publishAll(bus, topic, events) {
  const byWorld = new Map();
  for (const event of events)
    byWorld.set(event.subject, [...(byWorld.get(event.subject) ?? []), event]);
  const calls = [];
  for (const [world, worldEvents] of byWorld) {
    for (let i = 0; i < worldEvents.length; i += EVENTS_PER_PUBLISH) {
      calls.push(bus.publish(topic, world, worldEvents.slice(i, i + EVENTS_PER_PUBLISH)));
    }
  }
  await Promise.all(calls);
}

async function runBus(bus, events) {
  const topic = `bench.bus.${randomUUID().slice(0, 8)}`;
  await bus.ensureTopics([topic]);
  const start = process.hrtime.bigint();
  await publishAll(bus, topic, events);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    topic,
    eventsPerSec: events.length / seconds,
    mbPerSec: (events.length * RECORD_BYTES) / 2 ** 20 / seconds,
  };
}

function runJava(env, bus, extraProps = []) {
  const topic = `bench.java.${randomUUID().slice(0, 8)}`;
  return bus.ensureTopics([topic]).then(() => {
    const args = [
      '-cp',
      env.KAFKA_CLASSPATH,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(EVENTS),
      '--record-size',
      String(RECORD_BYTES),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${env.KAFKA_BROKERS}`,
      'acks=all',
      'enable.idempotence=true',
      'compression.type=gzip',
      ...extraProps,
    ];
    const result = spawnSync(env.JAVA || 'java', args, {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    const summary = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(
      result.stdout ?? '',
    );
    if (result.status !== 0 || !summary) {
      throw new Error(
        `ProducerPerformance failed (${result.status}):\n${result.stdout}\n${result.stderr}`.slice(
          0,
          4_000,
        ),
      );
    }
    return { topic, eventsPerSec: Number(summary[2]), mbPerSec: Number(summary[3]) };
  });
}

async function deleteTopics(env, topics) {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: 'bench-bus-cleanup',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

async function main() {
  const only = process.argv[2];
  const scenarios = ['publish', 'read-key', 'log-compression'];
  if (only && !scenarios.includes(only)) {
    console.error(`unknown scenario ${only}; available: ${scenarios.join(', ')}`);
    process.exit(2);
  }
  const env = readTestenv();
  const runs = (scenario) => !only || only === scenario;
  if (runs('publish')) await publishBench(env);
  const { KafkaBus, createCloudEvent, parseCloudEvent, parseBrokers, partitionForKey } = loadBus();
  const newBus = (config = {}) =>
    new KafkaBus({ brokers: parseBrokers(env.KAFKA_BROKERS), clientId: 'bench-bus', ...config });
  if (runs('read-key'))
    await readKeyBench({ env, newBus, createCloudEvent, parseCloudEvent, partitionForKey });
  if (runs('log-compression'))
    await logCompressionBench({
      newBus: (config) => newBus({ partitions: 3, ...config }),
      createCloudEvent,
      deleteTopics: (topics) => deleteTopics(env, topics),
    });
}

async function publishBench(env) {
  const { KafkaBus, createCloudEvent, parseBrokers } = loadBus();
  const bus = new KafkaBus({
    brokers: parseBrokers(env.KAFKA_BROKERS),
    clientId: 'bench-bus',
    partitions: PARTITIONS,
    compression: 'gzip', // as the Java baseline
  });
  const events = makeEvents(createCloudEvent);
  const topics = [];
  try {
    await runBus(bus, events.slice(0, 5_000)).then((r) => topics.push(r.topic)); // connect, JIT
    const busRuns = [];
    const javaRuns = [];
    const tunedRuns = [];
    for (let run = 0; run < RUNS; run++) {
      busRuns.push(await runBus(bus, events));
      javaRuns.push(await runJava(env, bus));
      tunedRuns.push(await runJava(env, bus, TUNED));
      topics.push(busRuns[run].topic, javaRuns[run].topic, tunedRuns[run].topic);
      const rate = (r) => r.eventsPerSec.toFixed(0);
      console.log(
        `run ${run + 1}: KafkaBus ${rate(busRuns[run])}/s, Java ${rate(javaRuns[run])}/s, Java tuned ${rate(tunedRuns[run])}/s`,
      );
    }
    const row = (name, runs) => ({
      producer: name,
      'events/s': median(runs.map((r) => r.eventsPerSec)),
      'MB/s': median(runs.map((r) => r.mbPerSec)),
      runs: runs.map((r) => r.eventsPerSec.toFixed(0)).join(' '),
    });
    const rows = [
      row('KafkaBus (kafkajs 2.2.4)', busRuns),
      row('ProducerPerformance (Java, baseline)', javaRuns),
      row('ProducerPerformance (Java, large batches)', tunedRuns),
    ];
    const ratio = rows[0]['events/s'] / rows[1]['events/s'];
    const ratioTuned = rows[0]['events/s'] / rows[2]['events/s'];
    console.log(
      `\n${EVENTS} events of ${RECORD_BYTES} B, ${WORLDS} keys, ${EVENTS_PER_PUBLISH} events per publish, ${PARTITIONS} partitions; ` +
        `acks=all, idempotent, gzip; median of ${RUNS}\n`,
    );
    report('bus', rows, {
      ratio,
      ratioTuned,
      tunedProps: TUNED,
      config: {
        events: EVENTS,
        recordBytes: RECORD_BYTES,
        eventsPerPublish: EVENTS_PER_PUBLISH,
        worlds: WORLDS,
        partitions: PARTITIONS,
        runs: RUNS,
      },
      note: 'ProducerPerformance runs in a fresh JVM each time: its own timing excludes JVM start-up but not JIT warm-up; MB = 2^20 bytes of record values',
    });
    console.log(
      `KafkaBus / ProducerPerformance throughput: ${ratio.toFixed(2)}x (large batches: ${ratioTuned.toFixed(2)}x)`,
    );
  } finally {
    await bus.close();
    if (topics.length > 0) await deleteTopics(env, topics);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
