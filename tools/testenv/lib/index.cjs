'use strict';
// Anvil test environment: etcd + kube-apiserver + kube-controller-manager, Kafka
// (KRaft), PostgreSQL and Jaeger (OTLP traces) on 127.0.0.1, for integration tests
// and benchmarks.
//
//   const testenv = require('<repo>/tools/testenv/lib/index.cjs');
//   await testenv.up();                       // what `npm run testenv:up` does
//   await testenv.restartApiServer();          // stop + start kube-apiserver, same data
//   await testenv.saKubeconfig('ns', 'sa', 'out/kubeconfig');
//   const env = testenv.readEnv();             // .testenv/env as an object
const fs = require('node:fs');
const path = require('node:path');
const { load } = require('./config.cjs');
const u = require('./util.cjs');
const kube = require('./kube.cjs');
const kafka = require('./kafka.cjs');
const postgres = require('./postgres.cjs');
const jaeger = require('./jaeger.cjs');

const GROUPS = { kube, kafka, postgres, tracing: jaeger };
const COMPONENTS = [
  ...kube.components,
  ...kafka.components,
  ...postgres.components,
  ...jaeger.components,
];
const NAMES = COMPONENTS.map((c) => c.name);

function getComponent(name) {
  const c = COMPONENTS.find((x) => x.name === name);
  if (!c)
    throw new u.TestenvError(
      `unknown component ${JSON.stringify(name)}; known: ${NAMES.join(', ')}`,
    );
  return c;
}

async function stateOf(cfg, c) {
  const pids = u.findProcesses(c.marker(cfg));
  const healthy = pids.length > 0 && (await c.healthy(cfg));
  return { name: c.name, pids, running: pids.length > 0, healthy };
}

async function killComponent(cfg, c, pids, { force = false } = {}) {
  for (const pid of pids || u.findProcesses(c.marker(cfg))) {
    await u.stopPid(pid, {
      signal: force ? 'SIGKILL' : c.stopSignal || 'SIGTERM',
      timeoutMs: c.stopTimeoutMs || 20000,
      group: c.killGroup !== false,
    });
  }
  u.rmrf(u.pidFile(cfg, c.name));
}

function envEntries(cfg) {
  return [
    ['TESTENV_DIR', cfg.stateDir],
    ['KUBECONFIG', cfg.kubeconfig],
    ['KUBE_APISERVER_URL', cfg.kubeApiserverUrl],
    ['TESTENV_BIN', cfg.kubeBinDir],
    ['ETCD_ENDPOINTS', `http://${cfg.host}:${cfg.ports.etcd}`],
    ['KAFKA_BROKERS', cfg.kafkaBrokers],
    ['KAFKA_CLASSPATH', kafka.classpath(cfg)],
    ['JAVA', kafka.findJava() || 'java'],
    [
      'DATABASE_URL',
      `postgresql://${cfg.database.user}:${cfg.database.password}@${cfg.host}:${cfg.ports.postgres}/${cfg.database.name}`,
    ],
    [
      'DATABASE_ADMIN_URL',
      `postgresql://${cfg.database.superuser}:${cfg.database.superPassword}@${cfg.host}:${cfg.ports.postgres}/postgres`,
    ],
    ['TESTENV_PG_BIN', postgres.findPgBin() || ''],
    ['TESTENV_PG_DATA', postgres.dataDir(cfg)],
    // no OTEL_* here: tests load this file, and tracing stays off unless a test turns it on
    ['TESTENV_OTLP_ENDPOINT', cfg.otlpEndpoint],
    ['TESTENV_JAEGER_URL', cfg.jaegerUrl],
    ['TESTENV_LOG_DIR', cfg.logDir],
    ['TESTENV_PID_DIR', cfg.pidDir],
  ];
}

function writeEnvFile(cfg) {
  const lines = [
    `# Written by tools/testenv (npm run testenv:up) at ${new Date().toISOString()}.`,
    '# KEY=VALUE lines, no quoting. Removed by npm run testenv:down.',
    ...envEntries(cfg).map(([k, v]) => `${k}=${v}`),
    '',
  ];
  u.writeFileAtomic(cfg.envFile, lines.join('\n'));
}

/** .testenv/env as an object ({} when the environment is not up). */
function readEnv() {
  const cfg = load();
  const out = {};
  let text = '';
  try {
    text = fs.readFileSync(cfg.envFile, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/**
 * Starts everything that is not already running and healthy (idempotent). A component
 * that is down starts from clean data; processes left by an earlier run are stopped.
 * `only`: a list of groups ('kube', 'kafka', 'postgres', 'tracing') to limit the work to.
 */
async function up({ only } = {}) {
  const cfg = load();
  u.mkdirp(cfg.stateDir);
  const release = await lock(cfg);
  try {
    return await upLocked(cfg, only);
  } finally {
    release();
  }
}

/**
 * One `up` at a time per state folder (parallel Jest projects may all call up()):
 * the others wait, then find everything running.
 */
async function lock(cfg) {
  const file = path.join(cfg.stateDir, 'up.lock');
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = Number(fs.readFileSync(file, 'utf8').trim());
    if (!holder || !u.alive(holder)) {
      fs.rmSync(file, { force: true }); // left by a process that died
      continue;
    }
    if (!announced) u.log('testenv', `waiting for another "up" (pid ${holder}) to finish`);
    announced = true;
    await u.sleep(500);
  }
}

async function upLocked(cfg, only) {
  const t0 = Date.now();
  const groups = Object.keys(GROUPS).filter((g) => !only || only.includes(g));
  u.mkdirp(cfg.logDir);
  u.mkdirp(cfg.pidDir);

  // 1. what has to (re)start: in a group, everything after the first unhealthy component
  //    (e.g. a fresh etcd means a fresh API server and controller manager).
  const plan = {};
  for (const g of groups) {
    const comps = COMPONENTS.filter((c) => c.group === g);
    const states = [];
    for (const c of comps) states.push(await stateOf(cfg, c));
    const first = states.findIndex((s) => !s.healthy);
    plan[g] = first < 0 ? [] : comps.slice(first).map((c, i) => ({ c, state: states[first + i] }));
    for (let i = 0; i < (first < 0 ? comps.length : first); i++) {
      u.log(comps[i].name, `already running (pid ${states[i].pids.join(',')})`);
    }
  }
  const todo = groups.filter((g) => plan[g].length > 0);

  // 2. toolchains before touching anything
  for (const g of todo) GROUPS[g].preflight(cfg);

  // 3. stop leftovers (in reverse start order), then make sure the ports are ours
  for (const g of todo) {
    for (const { c, state } of [...plan[g]].reverse()) {
      if (state.running) {
        u.log(
          c.name,
          `stopping a stale or unhealthy process from an earlier run (pid ${state.pids.join(',')})`,
        );
        await killComponent(cfg, c, state.pids);
      }
    }
  }
  for (const g of todo) for (const { c } of plan[g]) await u.assertPortsFree(c.name, c.ports(cfg));

  // 4. prepare (build / download / install) and start, the groups in parallel
  const results = await Promise.allSettled(
    todo.map(async (g) => {
      await GROUPS[g].prepare(cfg);
      for (const { c } of plan[g]) await c.start(cfg, { fresh: true });
    }),
  );
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failed.length > 0) {
    for (const err of failed.slice(1)) process.stderr.write(`testenv: ${err.message}\n`);
    throw failed[0];
  }
  writeEnvFile(cfg);
  u.log(
    'testenv',
    `up in ${u.elapsed(t0)}s; environment in ${path.relative(process.cwd(), cfg.envFile) || cfg.envFile}`,
  );
  return readEnv();
}

/** Stops every component (its processes, found by pid file and command line) and removes .testenv. */
async function down() {
  const t0 = Date.now();
  const cfg = load();
  const pgRoot = postgres.pgRoot(cfg);
  for (const c of [...COMPONENTS].reverse()) {
    const pids = u.findProcesses(c.marker(cfg));
    if (pids.length > 0) {
      u.log(c.name, `stopping (pid ${pids.join(',')})`);
      await killComponent(cfg, c, pids);
    }
  }
  u.rmrf(pgRoot);
  if (
    !pgRoot.startsWith(cfg.stateDir + path.sep) &&
    path.basename(path.dirname(pgRoot)).startsWith('anvil-testenv-')
  ) {
    u.rmrf(path.dirname(pgRoot));
  }
  // never delete a folder that holds the checkout or the home folder (a bad TESTENV_STATE_DIR)
  const dangerous = [cfg.repoRoot, require('node:os').homedir(), path.parse(cfg.stateDir).root];
  if (dangerous.some((d) => d === cfg.stateDir || d.startsWith(cfg.stateDir + path.sep))) {
    throw new u.TestenvError(
      `refusing to delete ${cfg.stateDir} (TESTENV_STATE_DIR must be a folder of its own)`,
    );
  }
  u.rmrf(cfg.stateDir);
  u.log('testenv', `down in ${u.elapsed(t0)}s; removed ${cfg.stateDir}`);
}

/** [{ name, up, pids, endpoint, log }] for every component. */
async function status() {
  const cfg = load();
  const out = [];
  for (const c of COMPONENTS) {
    const s = await stateOf(cfg, c);
    out.push({
      name: c.name,
      up: s.healthy,
      running: s.running,
      pids: s.pids,
      endpoint: c.endpoint(cfg),
      log: path.join(cfg.logDir, `${c.name}.log`),
    });
  }
  return out;
}

/** Starts one component with its existing data (no-op when it is already healthy). Resolves with its pid. */
async function startComponent(name) {
  const cfg = load();
  const c = getComponent(name);
  const s = await stateOf(cfg, c);
  if (s.healthy) return s.pids[0];
  if (s.running) await killComponent(cfg, c, s.pids);
  const group = GROUPS[c.group];
  if (group.binariesBuilt && !group.binariesBuilt(cfg)) {
    throw new u.TestenvError(`${name}: binaries are not built yet; run npm run testenv:up first`);
  }
  await u.assertPortsFree(c.name, c.ports(cfg));
  return c.start(cfg, { fresh: false });
}

/**
 * Stops one component, keeping its data (so startComponent resumes it).
 * `force: true` sends SIGKILL instead of a graceful stop (a crash).
 */
async function stopComponent(name, { force = false } = {}) {
  const cfg = load();
  const c = getComponent(name);
  const pids = u.findProcesses(c.marker(cfg));
  if (pids.length > 0) u.log(c.name, `${force ? 'killing' : 'stopping'} (pid ${pids.join(',')})`);
  await killComponent(cfg, c, pids, { force });
}

/** stopComponent + startComponent; resolves with the new pid once the component is healthy. */
async function restartComponent(name, opts = {}) {
  await stopComponent(name, opts);
  return startComponent(name);
}

/** Stops and starts kube-apiserver (etcd keeps the data): watches must recover. */
function restartApiServer(opts = {}) {
  return restartComponent('kube-apiserver', opts);
}

const { saKubeconfig, kubeRequest } = kube;
const kafkaMetadataBrokers = kafka.metadataBrokers;
const config = load;
const COMPONENT_NAMES = NAMES;
const { TestenvError } = u;

// Plain names only: index.mjs re-exports them, and Node finds a CommonJS module's named
// exports by reading this literal (a `key: value` entry would be missing there).
module.exports = {
  up,
  down,
  status,
  readEnv,
  startComponent,
  stopComponent,
  restartComponent,
  restartApiServer,
  saKubeconfig,
  kubeRequest,
  kafkaMetadataBrokers,
  config,
  COMPONENT_NAMES,
  TestenvError,
};
