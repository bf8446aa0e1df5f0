// The benchmark side of the server processes (echo-server.cjs, anvil-server.cjs): starts one as
// a child, reads its CPU use (and its engines process'), stops it. Every child is killed when the
// benchmark exits, fails or runs over its hard time limit.
const { fork } = require('node:child_process');
const path = require('node:path');
const { cpuMsOf } = require('./cpu.cjs');

/** The world every benchmark server runs, and the secret its players' tokens are signed with. */
const WORLD = 'bench';
const SECRET = 'bench-secret-of-16-or-more';

/** A server's environment for `clients` players at `tickHz`; `more` adds or overrides settings. */
function serverEnv(tickHz, clients, more = {}) {
  return {
    TICK_HZ: String(tickHz),
    JWT_SECRET: SECRET,
    ENGINE_TOKEN: 'bench-engine-token-16-or-more',
    WORLD,
    MAX_PLAYERS: String(clients + 10),
    BUS: 'memory',
    ...more,
  };
}

const children = new Set();
const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));

/** Kills every child and exits with status 1 once `ms` have passed. */
function hardLimit(name, ms) {
  setTimeout(() => {
    console.error(`${name}: over the ${ms} ms limit, stopping`);
    killAll();
    process.exit(1);
  }, ms).unref();
}

/** Runs `main`, then exits 0; on a failure prints it, kills every child and exits 1. */
function runMain(main) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      killAll();
      process.exit(1);
    },
  );
}

/** CPU ms of the engines process, or the sum of several (an array of pids). */
function enginesCpuMs(enginesPid) {
  if (!Array.isArray(enginesPid)) return cpuMsOf(enginesPid);
  const each = enginesPid.map(cpuMsOf);
  return each.includes(undefined) ? undefined : each.reduce((sum, ms) => sum + ms, 0);
}

/**
 * A CPU window over the server process and its engines process or processes (if any):
 * `cpu(true)` starts it, `cpu(false)` ends it and gives { cpu, cpuMs, engineCpu?, engineCpuMs? }
 * (cores and ms; the engines' summed).
 */
function cpuWindow(pid, enginesPid) {
  let start;
  const read = () => ({
    at: performance.now(),
    server: cpuMsOf(pid),
    engines: enginesCpuMs(enginesPid),
  });
  return async (begin) => {
    if (begin) return void (start = read());
    const end = read();
    const ms = end.at - start.at;
    const cpuMs = end.server - start.server;
    const engineCpuMs = enginesPid ? end.engines - start.engines : undefined;
    return { cpu: cpuMs / ms, cpuMs, engineCpu: engineCpuMs && engineCpuMs / ms, engineCpuMs };
  };
}

/**
 * Starts bench/support/<script> with `env` (see serverEnv) added to this process's; resolves
 * once it sends its { url, enginesPid? } with { url, pid, enginesPid, cpu (see cpuWindow),
 * telemetry, stop }. `telemetry()` gives the spans its processes reported dropped and the
 * exports that failed so far (app-telemetry.cjs; 0 with tracing off).
 */
function startServer(script, env) {
  const child = fork(path.join(__dirname, script), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const telemetry = { dropped: 0, failed: 0 };
  child.on('message', (m) => {
    if (!m.telemetry) return;
    telemetry.dropped += m.telemetry.dropped;
    telemetry.failed += m.telemetry.failed;
  });
  return new Promise((resolve, reject) => {
    child.on('message', ({ url, enginesPid }) => {
      if (!url) return;
      resolve({
        url,
        pid: child.pid,
        enginesPid,
        telemetry: () => ({ ...telemetry }),
        cpu: cpuWindow(child.pid, enginesPid),
        stop: async () => {
          child.send('stop');
          const timer = setTimeout(() => {
            console.warn(`${script} did not stop within 10 s: killed`);
            child.kill('SIGKILL');
          }, 10_000);
          await exited;
          clearTimeout(timer);
          children.delete(child);
        },
      });
    });
    child.once('exit', (code) =>
      reject(new Error(`${script} exited with ${code} before it was ready`)),
    );
  });
}

module.exports = { WORLD, SECRET, serverEnv, startServer, hardLimit, runMain };
