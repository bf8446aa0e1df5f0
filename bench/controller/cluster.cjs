// Helpers of the controller benchmark: the testenv, kubectl, the controller child process.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const APP = path.join(ROOT, 'apps', 'resolver-controller');
const MAIN_JS = path.join(APP, 'dist', 'main.js');

/** .testenv/env as an object; exits with a clear message when the testenv is not up. */
function testenv() {
  const file = path.join(ROOT, '.testenv', 'env');
  if (!fs.existsSync(file)) {
    console.error('bench/controller needs the real API server: run `npm run testenv:up` first');
    process.exit(2);
  }
  const env = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

function kubectl(env, args, input) {
  return execFileSync(
    path.join(env.TESTENV_BIN, 'kubectl'),
    ['--kubeconfig', env.KUBECONFIG, ...args],
    { input, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
}

/** Builds the controller when dist/main.js is missing (npm run bench builds everything first). */
function ensureBuilt() {
  if (!fs.existsSync(MAIN_JS))
    execFileSync('npx', ['nx', 'run', 'resolver-controller:build'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
}

/** Starts the built controller on one namespace; resolves once /readyz answers 200. */
async function startController(env, namespace, concurrency, maxWrites) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
        : []),
      MAIN_JS,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        PATH: process.env.PATH,
        KUBECONFIG: env.KUBECONFIG,
        NAMESPACE: namespace,
        LEASE_NAMESPACE: namespace,
        POD_NAME: 'bench',
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: '0',
        CONCURRENCY: String(concurrency),
        MAX_CONCURRENT_WRITES: String(maxWrites),
        LOG_LEVEL: 'info',
      },
    },
  );
  const port = await new Promise((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`controller exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        if (line.includes('/metrics')) {
          try {
            resolve(JSON.parse(line).port);
          } catch {
            /* a partial line: wait for more */
          }
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.stdout.resume();
  return {
    child,
    port,
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

/** Deletes a namespace and waits until it is gone (so its cleanup does not load the next run). */
async function deleteNamespace(env, name) {
  kubectl(env, ['delete', 'namespace', name, '--wait=true', '--timeout=300s']);
}

module.exports = { ROOT, APP, testenv, kubectl, ensureBuilt, startController, deleteNamespace };
