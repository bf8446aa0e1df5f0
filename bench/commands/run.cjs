// Commands benchmark (`npm run bench commands`): one world, 200 socket.io clients, 30 Hz, offered
// 1,000 / 3,000 / 6,000 move commands/s (round robin over the clients, several in flight each);
// latency from a `cmd` to the first delta that shows it, accepted and refused commands, CPU per
// accepted command. Anvil (BUILT packages: the gateway in one process, the engines in another;
// ../support/anvil-server.cjs) with BUS=memory (events relayed over IPC) and with the Kafka of
// tools/testenv, against the bare socket.io server of bench/gateway (../support/echo-server.cjs)
// measured in the same run with the same clients. Kafka that does not answer fails the benchmark
// unless BENCH_BUS=memory. Loopback only; bounded by BENCH_RUNS, BENCH_DURATION_MS and a hard
// time limit; every server process is killed when this one exits.
const { randomUUID } = require('node:crypto');
const { report } = require('../stats.cjs');
const { cpuMsOf } = require('../support/cpu.cjs');
const { dropRun, testenvKafka } = require('../support/kafka.cjs');
const { gatewayLimits } = require('../support/gateway-limits.cjs');
const { openLoad } = require('../support/load.cjs');
const {
  SECRET,
  WORLD,
  hardLimit,
  runMain,
  serverEnv,
  startServer,
} = require('../support/servers.cjs');
const { GOAL, printVerdicts, summarise } = require('./summary.cjs');

const list = (text) => text.split(',').map((item) => item.trim());
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const TICK_HZ = Number(process.env.BENCH_TICK_HZ ?? 30);
const RATES = list(process.env.BENCH_RATES ?? '1000,3000,6000').map(Number);
const BUSES = list(process.env.BENCH_BUS ?? 'memory,kafka');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8_000);
const GATEWAY_LIMITS = gatewayLimits(Math.max(...RATES), CLIENTS);

hardLimit('bench/commands', Number(process.env.BENCH_TIME_LIMIT_MS ?? 20 * 60_000));

/** Offers every rate in turn to one server; resolves with a load.cjs result per rate. */
async function measureRates(name, script, env, brokerPid) {
  const server = await startServer(script, serverEnv(TICK_HZ, CLIENTS, env));
  try {
    const load = await openLoad({
      url: server.url,
      clients: CLIENTS,
      worldId: WORLD,
      secret: SECRET,
    });
    const results = [];
    for (const rate of RATES) {
      let brokerAt;
      const result = await load.run({
        rate,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
        onRecording: async (start) => {
          const broker = brokerPid && cpuMsOf(brokerPid);
          if (start) {
            brokerAt = broker;
            return server.cpu(true);
          }
          return { ...(await server.cpu(false)), brokerCpuMs: broker && broker - brokerAt };
        },
      });
      if (process.env.DBG)
        console.log({ ...result, latencies: result.latencies.length, acks: result.acks.length });
      const ok = (result.accepted / result.seconds).toFixed(0);
      console.log(`${name} ${rate}/s: ${ok}/s accepted, ${result.latencies.length} timed`);
      results.push(result);
    }
    load.close();
    return results;
  } finally {
    await server.stop();
  }
}

/** Anvil on the testenv's Kafka, with topics and consumer groups of its own (deleted after). */
async function measureKafka(kafka) {
  const prefix = `bench.commands.${randomUUID().slice(0, 8)}`;
  const env = {
    ...GATEWAY_LIMITS,
    BUS: 'kafka',
    KAFKA_BROKERS: kafka.brokers.join(','),
    BUS_TOPIC_PREFIX: prefix,
  };
  try {
    return await measureRates('anvil kafka', 'anvil-server.cjs', env, kafka.brokerPid);
  } finally {
    await dropRun(kafka.brokers, prefix).catch((e) => console.warn(`cleanup of ${prefix}: ${e}`));
  }
}

/** The testenv's Kafka, or exit 1 saying why it is needed and how to do without. */
async function kafkaOrExit() {
  try {
    return await testenvKafka();
  } catch (error) {
    console.error(
      `bench/commands: the Kafka of tools/testenv is not available: ${error.message}\n` +
        'Start it with `npm run testenv:up` (or point TESTENV_STATE_DIR at a running one), ' +
        'or measure the in-memory bus only with BENCH_BUS=memory.',
    );
    process.exit(1);
  }
}

async function main() {
  const unknown = BUSES.filter((bus) => !['memory', 'kafka'].includes(bus));
  if (unknown.length) {
    console.error(`BENCH_BUS: unknown ${unknown.join(', ')}; use memory, kafka or memory,kafka`);
    process.exit(2);
  }
  const kafka = BUSES.includes('kafka') ? await kafkaOrExit() : undefined;
  const started = performance.now();
  const runs = [];
  for (let run = 1; run <= RUNS; run++) {
    console.log(`-- run ${run} of ${RUNS}`);
    const bare = await measureRates('bare', 'echo-server.cjs', {});
    const anvil = {};
    for (const bus of BUSES) {
      anvil[bus] =
        bus === 'kafka'
          ? await measureKafka(kafka)
          : await measureRates('anvil memory', 'anvil-server.cjs', GATEWAY_LIMITS);
    }
    runs.push({ bare, anvil });
  }
  const tickMs = 1000 / TICK_HZ;
  const { rows, verdicts, behind, perRun } = summarise(runs, {
    buses: BUSES,
    rates: RATES,
    tickMs,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  console.log(
    `\n${CLIENTS} clients, ${TICK_HZ} Hz, median of ${RUNS} run(s), ${wallSeconds.toFixed(0)} s\n`,
  );
  report('commands', rows, {
    clients: CLIENTS,
    tickHz: TICK_HZ,
    rates: RATES,
    runs: RUNS,
    warmupMs: WARMUP_MS,
    durationMs: DURATION_MS,
    gatewayLimits: GATEWAY_LIMITS,
    goal: GOAL,
    verdicts,
    behind,
    perRun,
    wallSeconds,
    note: 'latency = cmd sent -> first delta with tick >= ack.tick carrying the sender body; ok/s = commands acked ok; refused/s by code (ENGINE_REJECTED/<engine code>); lost/s = no ack within 5 s, or no delta; cpu ms/cmd = CPU of the gateway and engines processes (bare: its one process) in the measured window per accepted command; broker = the testenv Kafka broker process, not in the ratio; ratios are medians of per-run ratios; ∞ = no command accepted in most runs (an unmeasured latency or CPU per command counts as infinite)',
  });
  printVerdicts(verdicts, behind);
}

runMain(main);
