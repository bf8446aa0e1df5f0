// Tracing benchmark (`npm run bench tracing`): the load of bench/commands (one world, 200
// socket.io clients, 30 Hz, 1,000 move commands/s; latency from a `cmd` to the first delta that
// shows it, CPU of the Anvil processes per accepted command) on Anvil with tracing off and with
// tracing on at 100 %, measured in the same run with the same clients, the order alternating
// from run to run. Anvil runs one process per app (../support/anvil-server.cjs with
// BENCH_PROCESS_PER_APP=1: gateway, interaction engine, physics engine, each starting its app's
// telemetry first as its main.ts does). Off: no OTEL_* variable at all. On:
// OTEL_EXPORTER_OTLP_ENDPOINT = the Jaeger of tools/testenv and OTEL_TRACES_SAMPLER=always_on;
// the gateway starts a trace for every command, so every command's spans are exported. Jaeger
// that does not answer fails the benchmark; once, at the end of the first run with tracing on,
// the benchmark checks that the traces of that run's processes arrived in Jaeger. BUS=memory by
// default (the engines' events relayed over IPC, so only the tracing differs); BENCH_BUS=kafka
// measures on the testenv's Kafka. Loopback only; bounded by BENCH_RUNS, BENCH_DURATION_MS and a
// hard time limit; every server process is killed when this one exits.
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const { hostname, loadavg } = require('node:os');
const path = require('node:path');
const { median, percentile, report } = require('../stats.cjs');
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
const { readTestenv } = require('../../tools/jest/testenv-file.cjs');

const list = (text) => text.split(',').map((item) => item.trim());
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const TICK_HZ = Number(process.env.BENCH_TICK_HZ ?? 30);
const RATES = list(process.env.BENCH_RATES ?? '1000').map(Number);
const BUSES = list(process.env.BENCH_BUS ?? 'memory');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8_000);
/** The issue's goal: tracing on at 100 % costs at most 10 % on p99 and on CPU per command. */
const GOAL = { p99Ratio: 1.1, cpuRatio: 1.1 };
/** The services whose traces must reach Jaeger. */
const SERVICES = ['gateway', 'interaction-engine', 'physics-engine'];
/** How long the check waits for this run's traces in Jaeger (the exporter batches for 5 s). */
const TRACES_WAIT_MS = 20_000;
const GATEWAY_LIMITS = gatewayLimits(Math.max(...RATES), CLIENTS);

hardLimit('bench/tracing', Number(process.env.BENCH_TIME_LIMIT_MS ?? 10 * 60_000));

/** Off: no OTEL_* variable reaches the servers (they inherit this process's environment). */
function dropOtelVariables() {
  const ours = Object.keys(process.env).filter((name) => name.startsWith('OTEL_'));
  for (const name of ours) delete process.env[name];
  if (ours.length) console.log(`not passed on to the servers: ${ours.join(', ')}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/**
 * The testenv's Jaeger: { otlpEndpoint, queryUrl, pid } once its query API and its OTLP/HTTP
 * receiver (an empty export request) answer; throws an Error saying what is missing.
 */
async function testenvJaeger() {
  const env = readTestenv();
  const otlpEndpoint = env.TESTENV_OTLP_ENDPOINT;
  const queryUrl = env.TESTENV_JAEGER_URL;
  if (!otlpEndpoint || !queryUrl)
    throw new Error('testenv has no TESTENV_OTLP_ENDPOINT / TESTENV_JAEGER_URL');
  try {
    await getJson(`${queryUrl}/api/services`);
  } catch (error) {
    throw new Error(`Jaeger's query API at ${queryUrl} does not answer (${error.message})`);
  }
  try {
    const response = await fetch(`${otlpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(0),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new Error(`Jaeger's OTLP receiver at ${otlpEndpoint} does not answer (${error.message})`);
  }
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(env.TESTENV_PID_DIR, 'jaeger.pid'), 'utf8').trim());
  } catch {
    pid = undefined;
  }
  return { otlpEndpoint, queryUrl, pid };
}

/** The testenv's Jaeger (or Kafka), or exit 1 saying why it is needed. */
async function orExit(what, find, more = '') {
  try {
    return await find();
  } catch (error) {
    console.error(
      `bench/tracing: the ${what} of tools/testenv is not available: ${error.message}\n` +
        `Start it with \`npm run testenv:up\` (or point TESTENV_STATE_DIR at a running one)${more}.`,
    );
    process.exit(1);
  }
}

/**
 * Checks, once, that the traces of a server with tracing on reached Jaeger: /api/services lists
 * every service, and the gateway's traces since `sinceMs` (epoch ms) hold spans of this
 * server's three processes (their `service.instance.id`, host:pid). Throws when they do not.
 */
async function verifyTraces(jaeger, server, sinceMs) {
  const [physicsPid, interactionPid] = server.enginesPid;
  const ours = {
    gateway: `${hostname()}:${server.pid}`,
    'interaction-engine': `${hostname()}:${interactionPid}`,
    'physics-engine': `${hostname()}:${physicsPid}`,
  };
  const seen = new Set();
  const deadline = performance.now() + TRACES_WAIT_MS;
  let traces = 0;
  /** Spans per service in this run's traces (the gateway's process is ours). */
  let spans = {};
  let ourTraces = 0;
  while (seen.size < SERVICES.length && performance.now() < deadline) {
    const query = new URLSearchParams({
      service: 'gateway',
      start: String(sinceMs * 1000),
      // Up to the exporters' batch delay (5 s) ago: those traces have all their spans.
      end: String(Math.max(sinceMs + 1_000, Date.now() - 6_000) * 1000),
      limit: '20',
    });
    const { data = [] } = await getJson(`${jaeger.queryUrl}/api/traces?${query}`);
    traces = data.length;
    spans = {};
    ourTraces = 0;
    for (const trace of data) {
      const processes = trace.processes ?? {};
      const isOurs = (proc) =>
        ours[proc.serviceName] === proc.tags?.find((t) => t.key === 'service.instance.id')?.value;
      for (const proc of Object.values(processes)) if (isOurs(proc)) seen.add(proc.serviceName);
      if (!Object.values(processes).some((p) => p.serviceName === 'gateway' && isOurs(p))) continue;
      ourTraces++;
      for (const span of trace.spans ?? []) {
        const name = `${processes[span.processID]?.serviceName}: ${span.operationName}`;
        spans[name] = (spans[name] ?? 0) + 1;
      }
    }
    if (seen.size < SERVICES.length) await sleep(1_000);
  }
  const missing = SERVICES.filter((s) => !seen.has(s));
  const { data: services = [] } = await getJson(`${jaeger.queryUrl}/api/services`);
  console.log(`Jaeger ${jaeger.queryUrl}/api/services: ${services.join(', ')}`);
  const unlisted = SERVICES.filter((s) => !services.includes(s));
  const perTrace = Object.fromEntries(
    Object.entries(spans)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]) => [name, Number((n / ourTraces).toFixed(2))]),
  );
  const verdict = {
    services,
    unlisted,
    tracesRead: traces,
    thisRun: [...seen],
    spansPerTrace: perTrace,
    ok: !unlisted.length && !missing.length,
  };
  console.log(
    `traces of this run in Jaeger (the gateway's last ${traces}): spans of ${[...seen].join(', ') || 'no service'}`,
  );
  if (ourTraces)
    console.log(
      `spans per trace (${ourTraces} traces): ${Object.entries(perTrace)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ')}`,
    );
  if (!verdict.ok)
    throw new Error(
      `tracing on, but Jaeger ${unlisted.length ? `does not list ${unlisted.join(', ')}` : ''}` +
        `${missing.length ? ` has no span of this run's ${missing.join(', ')}` : ''}`,
    );
  return verdict;
}

/**
 * BENCH_TRACING_ENV: OTEL_* settings added to (or overriding) "on", as NAME=value,NAME=value: to
 * see where the cost comes from (e.g. OTEL_TRACES_SAMPLER=always_off: the SDK without spans).
 */
function extraOnEnv() {
  const text = process.env.BENCH_TRACING_ENV ?? '';
  const pairs = text ? list(text).map((item) => item.split('=')) : [];
  const bad = pairs.filter(
    ([name, value]) => !/^OTEL_[A-Z0-9_]+$/.test(name) || value === undefined,
  );
  if (bad.length) {
    console.error(`BENCH_TRACING_ENV: use OTEL_NAME=value,...; not ${bad.map((p) => p.join('='))}`);
    process.exit(2);
  }
  return Object.fromEntries(pairs.map(([name, ...value]) => [name, value.join('=')]));
}
const EXTRA_ON_ENV = extraOnEnv();

/** The environment of a mode: off has no OTEL_* variable, on exports every trace to Jaeger. */
const modeEnv = (mode, jaeger) =>
  mode === 'on'
    ? {
        OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
        OTEL_TRACES_SAMPLER: 'always_on',
        ...EXTRA_ON_ENV,
      }
    : {};

/** False when "on" samples nothing (BENCH_TRACING_ENV), so no trace is to be looked for. */
const expectsTraces = () => !/always_off$/.test(EXTRA_ON_ENV.OTEL_TRACES_SAMPLER ?? '');

/**
 * Offers every rate in turn to one Anvil (one process per app) in `mode`; resolves with a
 * load.cjs result per rate, with the Jaeger and broker CPU and the telemetry warnings added.
 */
async function measureRates(mode, bus, busEnv, ctx) {
  const env = {
    ...GATEWAY_LIMITS,
    ...busEnv,
    BENCH_PROCESS_PER_APP: '1',
    ...modeEnv(mode, ctx.jaeger),
  };
  const startedAt = Date.now();
  const server = await startServer('anvil-server.cjs', serverEnv(TICK_HZ, CLIENTS, env));
  const results = [];
  try {
    const load = await openLoad({
      url: server.url,
      clients: CLIENTS,
      worldId: WORLD,
      secret: SECRET,
    });
    for (const rate of RATES) {
      let at;
      const others = () => ({
        jaeger: cpuMsOf(ctx.jaeger.pid),
        broker: cpuMsOf(ctx.kafka?.brokerPid),
      });
      const result = await load.run({
        rate,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
        onRecording: async (start) => {
          if (start) {
            at = others();
            return server.cpu(true);
          }
          const now = others();
          return {
            ...(await server.cpu(false)),
            jaegerCpuMs: now.jaeger === undefined ? undefined : now.jaeger - at.jaeger,
            brokerCpuMs: now.broker === undefined ? undefined : now.broker - at.broker,
            // How busy the shared machine was (the 1-minute load average at the window's end).
            loadAverage: loadavg()[0],
          };
        },
      });
      const ok = (result.accepted / result.seconds).toFixed(0);
      console.log(
        `tracing ${mode} ${bus} ${rate}/s: ${ok}/s accepted, ${result.latencies.length} timed`,
      );
      results.push(result);
    }
    load.close();
    if (mode === 'on' && !ctx.verified && expectsTraces())
      ctx.verified = await verifyTraces(ctx.jaeger, server, startedAt);
  } finally {
    await server.stop();
  }
  // The SDK reports spans it dropped when the next one ends: counted once the server is gone,
  // over its whole life (warm-up and every rate).
  const telemetry = server.telemetry();
  for (const result of results) result.telemetry = telemetry;
  if (mode === 'on')
    console.log(`  spans dropped ${telemetry.dropped}, failed exports ${telemetry.failed}`);
  return results;
}

/** One mode on one bus: Kafka with topics and consumer groups of its own (deleted after). */
async function measure(mode, bus, ctx) {
  if (bus === 'memory') return measureRates(mode, bus, {}, ctx);
  const prefix = `bench.tracing.${randomUUID().slice(0, 8)}`;
  const env = {
    BUS: 'kafka',
    KAFKA_BROKERS: ctx.kafka.brokers.join(','),
    BUS_TOPIC_PREFIX: prefix,
  };
  try {
    return await measureRates(mode, bus, env, ctx);
  } finally {
    await dropRun(ctx.kafka.brokers, prefix).catch((e) =>
      console.warn(`cleanup of ${prefix}: ${e}`),
    );
  }
}

/** Of what nothing was measured for (no command accepted): infinite, so it counts in medians. */
const orInfinity = (value, measured) => (measured ? value : Infinity);
const perAccepted = (ms, result) =>
  ms === undefined ? undefined : orInfinity(ms / result.accepted, result.accepted);

/** The numbers of one mode at one rate in one run. */
function measured(result) {
  const { cpuMs, engineCpuMs = 0, jaegerCpuMs, brokerCpuMs } = result.serverCpu;
  const perSecond = (count) => count / result.seconds;
  return {
    sent: perSecond(result.sent),
    ok: perSecond(result.accepted),
    refused: Object.values(result.refused).reduce((sum, n) => sum + n, 0) / result.seconds,
    lost: perSecond(result.timeouts + result.noDelta),
    p50: orInfinity(median(result.latencies), result.latencies.length),
    p99: orInfinity(percentile(result.latencies, 99), result.latencies.length),
    // cmd -> ack (the engines' answer through the gateway), without the wait for the delta.
    ackP50: orInfinity(median(result.acks), result.acks.length),
    ackP99: orInfinity(percentile(result.acks, 99), result.acks.length),
    cpu: orInfinity((cpuMs + engineCpuMs) / result.accepted, result.accepted),
    gatewayCpu: perAccepted(cpuMs, result),
    enginesCpu: perAccepted(engineCpuMs, result),
    jaeger: perAccepted(jaegerCpuMs, result),
    broker: perAccepted(brokerCpuMs, result),
    clientCpu: result.clientCpu,
    loadAverage: result.serverCpu.loadAverage,
    dropped: result.telemetry.dropped,
    failedExports: result.telemetry.failed,
  };
}

/** Median over runs of `pick(run)`: '' when no run has a value, '∞' when it is infinite. */
function med(runs, pick) {
  const values = runs.map(pick).filter((v) => v !== undefined && !Number.isNaN(v));
  const value = values.length ? median(values) : '';
  return value === Infinity ? '∞' : value;
}

const fixed = (value) =>
  value === Infinity ? '∞' : typeof value === 'number' ? value.toFixed(2) : String(value || 'n/a');
/** "off/on": the medians of two picks. */
const pair = (runs, off, on) => `${fixed(med(runs, off))}/${fixed(med(runs, on))}`;
const eachRun = (runs, pick) => runs.map((r) => fixed(pick(r))).join(' ');
const within = (value, max) => typeof value === 'number' && value <= max;

function row(bus, rate, runs) {
  const p99Ratio = (r) => r.on.p99 / r.off.p99;
  const cpuRatio = (r) => r.on.cpu / r.off.cpu;
  return {
    bus,
    'offered/s': rate,
    'ok/s off': med(runs, (r) => r.off.ok),
    'ok/s on': med(runs, (r) => r.on.ok),
    'p50 off': med(runs, (r) => r.off.p50),
    'p50 on': med(runs, (r) => r.on.p50),
    'p99 off': med(runs, (r) => r.off.p99),
    'p99 on': med(runs, (r) => r.on.p99),
    'p50 on/off': med(runs, (r) => r.on.p50 / r.off.p50),
    'p99 on/off': med(runs, p99Ratio),
    'ack p50 off/on': pair(
      runs,
      (r) => r.off.ackP50,
      (r) => r.on.ackP50,
    ),
    'ack p99 off/on': pair(
      runs,
      (r) => r.off.ackP99,
      (r) => r.on.ackP99,
    ),
    'cpu off': med(runs, (r) => r.off.cpu),
    'cpu on': med(runs, (r) => r.on.cpu),
    'cpu on/off': med(runs, cpuRatio),
    'gw cpu on/off': med(runs, (r) => r.on.gatewayCpu / r.off.gatewayCpu),
    'eng cpu on/off': med(runs, (r) => r.on.enginesCpu / r.off.enginesCpu),
    'jaeger ms/cmd': med(runs, (r) => r.on.jaeger),
    'broker ms/cmd': bus === 'kafka' ? med(runs, (r) => r.on.broker) : '',
    'lost/s off/on': pair(
      runs,
      (r) => r.off.lost,
      (r) => r.on.lost,
    ),
    dropped: runs.reduce((sum, r) => sum + r.on.dropped, 0),
    'load off/on': pair(
      runs,
      (r) => r.off.loadAverage,
      (r) => r.on.loadAverage,
    ),
    'p99 on/off runs': eachRun(runs, p99Ratio),
    'cpu on/off runs': eachRun(runs, cpuRatio),
  };
}

/** The goals of one row: each { goal, met, detail }. */
function goals(r) {
  const where = `${r.bus} ${r['offered/s']}/s`;
  return [
    {
      goal: `${where}: p99 with tracing on <= ${GOAL.p99Ratio} x off`,
      met: within(r['p99 on/off'], GOAL.p99Ratio),
      detail: `${fixed(r['p99 on/off'])}x; runs ${r['p99 on/off runs']}`,
    },
    {
      goal: `${where}: CPU per command with tracing on <= ${GOAL.cpuRatio} x off`,
      met: within(r['cpu on/off'], GOAL.cpuRatio),
      detail: `${fixed(r['cpu on/off'])}x; runs ${r['cpu on/off runs']}`,
    },
  ];
}

/** The offered rate the clients did not keep up with (they share the machine with the servers). */
const SENT_SHARE = 0.95;

async function main() {
  const unknown = BUSES.filter((bus) => !['memory', 'kafka'].includes(bus));
  if (unknown.length) {
    console.error(`BENCH_BUS: unknown ${unknown.join(', ')}; use memory, kafka or memory,kafka`);
    process.exit(2);
  }
  dropOtelVariables();
  const ctx = { verified: undefined };
  ctx.jaeger = await orExit(
    'Jaeger',
    testenvJaeger,
    ', or only it with `node tools/testenv/cli.cjs up tracing`',
  );
  if (BUSES.includes('kafka'))
    ctx.kafka = await orExit(
      'Kafka',
      testenvKafka,
      ', or measure the in-memory bus only with BENCH_BUS=memory',
    );
  const on = Object.entries(modeEnv('on', ctx.jaeger)).map(([name, value]) => `${name}=${value}`);
  console.log(`tracing off: no OTEL_* variable; tracing on: ${on.join(' ')}`);
  const started = performance.now();
  const runs = [];
  for (let run = 1; run <= RUNS; run++) {
    // Alternating, so that what slows the machine down hits both modes alike.
    const order = run % 2 ? ['off', 'on'] : ['on', 'off'];
    console.log(`-- run ${run} of ${RUNS} (${order.join(', then ')})`);
    const results = { off: {}, on: {} };
    for (const bus of BUSES)
      for (const mode of order) results[mode][bus] = await measure(mode, bus, ctx);
    runs.push(results);
  }
  const rows = [];
  const perRun = [];
  const behind = [];
  for (const bus of BUSES)
    RATES.forEach((rate, i) => {
      const paired = runs.map((run) => ({
        off: measured(run.off[bus][i]),
        on: measured(run.on[bus][i]),
      }));
      perRun.push({ bus, rate, runs: paired });
      for (const mode of ['off', 'on']) {
        const sent = med(paired, (r) => r[mode].sent);
        if (sent < SENT_SHARE * rate)
          behind.push(`tracing ${mode} ${bus} ${sent.toFixed(0)}/s of ${rate}/s`);
      }
      rows.push(row(bus, rate, paired));
    });
  const verdicts = rows.flatMap(goals);
  const wallSeconds = (performance.now() - started) / 1000;
  console.log(
    `\n${CLIENTS} clients, ${TICK_HZ} Hz, median of ${RUNS} run(s), ${wallSeconds.toFixed(0)} s\n`,
  );
  report('tracing', rows, {
    clients: CLIENTS,
    tickHz: TICK_HZ,
    rates: RATES,
    buses: BUSES,
    runs: RUNS,
    warmupMs: WARMUP_MS,
    durationMs: DURATION_MS,
    gatewayLimits: GATEWAY_LIMITS,
    tracingOn: modeEnv('on', ctx.jaeger),
    goal: GOAL,
    verdicts,
    jaegerCheck: ctx.verified,
    behind,
    perRun,
    wallSeconds,
    note: 'off = no OTEL_* variable; ack = cmd sent -> its ack (ms); on = OTLP to the testenv Jaeger, always_on; one process per app (gateway, interaction engine, physics engine); latency = cmd sent -> first delta with tick >= ack.tick carrying the sender body (ms); cpu = CPU ms of the gateway and both engines processes per accepted command; gw/eng cpu on/off = the gateway process, the two engines processes; jaeger ms/cmd = CPU of the testenv Jaeger per accepted command with tracing on, not in the ratio; ratios are medians of per-run ratios (each run measures off and on, alternating which goes first); dropped = spans the exporters dropped (full queue) over all runs',
  });
  console.log('');
  for (const v of verdicts) console.log(`  ${v.met ? 'met   ' : 'missed'} ${v.goal} (${v.detail})`);
  if (behind.length)
    console.log(`\nthe clients fell behind the offered rate (sent): ${behind.join('; ')}`);
}

runMain(main);
