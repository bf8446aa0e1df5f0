'use strict';
// Small helpers shared by the testenv components: progress output, processes,
// pid files, ports, HTTP probes, Go builds. Node built-ins only.
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

/** An expected failure: printed as one line by the CLI, without a stack trace. */
class TestenvError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TestenvError';
  }
}

const startedAt = Date.now();
let quiet = !!process.env.TESTENV_QUIET;

function setQuiet(q) {
  quiet = q;
}

function elapsed(since = startedAt) {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** Progress line: `[testenv   12.3s] kafka: starting broker`. */
function log(component, message) {
  if (quiet) return;
  const t = `${elapsed()}s`.padStart(7);
  process.stderr.write(`[testenv ${t}] ${component}: ${message}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function mkdirp(dir, mode) {
  fs.mkdirSync(dir, { recursive: true, mode });
  return dir;
}

function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
}

/** Finds an executable on PATH (or returns null). */
function which(cmd) {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : null;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return null;
}

function isExecutable(p) {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a command to completion. Resolves with {code, stdout, stderr}; rejects with a
 * TestenvError (including the tail of the output) when it fails and `check` is true.
 */
function run(cmd, args, opts = {}) {
  const { check = true, input, env, cwd, uid, gid, heartbeat, what } = opts;
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(cmd, args, {
        cwd,
        env: env || process.env,
        uid,
        gid,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      reject(new TestenvError(`cannot run ${cmd}: ${err.message}`));
      return;
    }
    const out = [];
    const errOut = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => errOut.push(d));
    let timer;
    if (heartbeat) {
      const t0 = Date.now();
      timer = setInterval(() => heartbeat(Math.round((Date.now() - t0) / 1000)), 30000);
    }
    child.on('error', (err) => {
      clearInterval(timer);
      reject(new TestenvError(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(errOut).toString();
      if (check && code !== 0) {
        const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
        const label = what || `${path.basename(cmd)} ${args.slice(0, 3).join(' ')}`;
        reject(new TestenvError(`${label} failed (${signal || `exit code ${code}`}):\n${tail}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Runs a command synchronously and returns trimmed stdout, or null when it fails. */
function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || '').trim();
}

// ---------------------------------------------------------------- processes

function pidFile(cfg, name) {
  return path.join(cfg.pidDir, `${name}.pid`);
}

function readPid(cfg, name) {
  try {
    const pid = Number(fs.readFileSync(pidFile(cfg, name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when `pid` is a live (non-zombie) process whose command line contains `marker`. */
function isOurProcess(pid, marker) {
  if (!pid) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return marker ? cmdline.includes(marker) : true;
  } catch {
    return false;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return isOurProcess(pid, null);
  } catch {
    return false;
  }
}

/**
 * Starts a long-running process detached from this one (own process group, output to
 * `logFile`, not waited for), records its pid and returns it.
 */
function startDetached(cfg, name, cmd, args, { cwd, env, uid, gid, logFile } = {}) {
  mkdirp(cfg.pidDir);
  mkdirp(cfg.logDir);
  const logPath = logFile || path.join(cfg.logDir, `${name}.log`);
  const fd = fs.openSync(logPath, 'a');
  fs.writeSync(fd, `\n==== ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  let child;
  try {
    child = spawn(cmd, args, {
      cwd,
      env: env || process.env,
      uid,
      gid,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  // spawn errors (ENOENT, EACCES) are reported asynchronously; the caller's health
  // wait notices the process is gone and reports the log.
  child.on('error', () => {});
  child.unref();
  if (!child.pid) throw new TestenvError(`${name}: could not start ${cmd}`);
  fs.writeFileSync(pidFile(cfg, name), `${child.pid}\n`);
  return child.pid;
}

/** Stops a process (and its process group): SIGTERM, then SIGKILL after `timeoutMs`. */
async function stopPid(pid, { signal = 'SIGTERM', timeoutMs = 15000, group = true } = {}) {
  if (!pid || !alive(pid)) return false;
  const send = (sig) => {
    try {
      if (!group) throw new Error('no group');
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  send(signal);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  send('SIGKILL');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  return true;
}

function tailFile(file, lines = 12) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------- ports

/** Resolves true when something accepts TCP connections on host:port. */
function portOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (v) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Resolves true when this process could listen on host:port right now. */
function portFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function assertPortsFree(component, ports, { waitMs = 5000 } = {}) {
  const busy = async (port) => !(await portFree(port)) || (await portOpen(port));
  for (const [label, port, envVar] of ports) {
    // a process that was just stopped may need a moment to release its sockets
    const deadline = Date.now() + waitMs;
    while ((await busy(port)) && Date.now() < deadline) await sleep(200);
    if (await busy(port)) {
      throw new TestenvError(
        `${component}: port ${port} (${label}) on 127.0.0.1 is already in use by another process; ` +
          `stop that process (see: ss -ltnp 'sport = :${port}') or choose another port with ${envVar}=<port>`,
      );
    }
  }
}

/** Polls `probe` (async, returns truthy when ready) until it succeeds or `timeoutMs` passes. */
async function waitFor(what, probe, { timeoutMs = 60000, intervalMs = 250, pid, logFile } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (pid && !alive(pid)) {
      throw new TestenvError(
        `${what}: the process exited during startup; last lines of ${logFile}:\n${tailFile(logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      const why = lastErr ? ` (${lastErr.message})` : '';
      const logs = logFile ? `; last lines of ${logFile}:\n${tailFile(logFile)}` : '';
      throw new TestenvError(`${what}: not ready after ${timeoutMs / 1000}s${why}${logs}`);
    }
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------- HTTP

/** GET `url` (http or https); resolves with { status, body }, rejects on connection errors. */
function httpGet(url, opts = {}) {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { timeout: 3000, ...opts }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------- Go builds
//
// A Go build is described by
//   { component, what, moduleDir, cacheDir, binDir, ldflags, binaries: [[name, package, version]] }
// `moduleDir` is a Go module in tools/testenv (kube/, jaeger/) whose go.mod pins the
// commands; `what` names the build in messages ("Kubernetes 1.35.4"). The binaries go to
// `binDir`; `cacheDir`/build.stamp records which ones were built from which go.mod/go.sum.

/** The `go` command: $GO, PATH, /usr/local/go/bin/go or ~/go/bin/go (null when none is there). */
function findGo() {
  const candidates = [
    process.env.GO,
    which('go'),
    '/usr/local/go/bin/go',
    path.join(os.homedir(), 'go', 'bin', 'go'),
  ];
  for (const c of candidates) if (c && isExecutable(c)) return c;
  return null;
}

function goStampFile(build) {
  return path.join(build.cacheDir, 'build.stamp');
}

function readGoStamp(build) {
  try {
    return JSON.parse(fs.readFileSync(goStampFile(build), 'utf8'));
  } catch {
    return null;
  }
}

/** sha256 of go.mod, go.sum and the ldflags: when one of them changes, everything is built again. */
function goSourceHash(build) {
  const h = crypto.createHash('sha256');
  for (const f of ['go.mod', 'go.sum']) h.update(fs.readFileSync(path.join(build.moduleDir, f)));
  h.update(build.ldflags);
  return h.digest('hex');
}

/** The binaries that still have to be built (all of them when go.mod/go.sum/ldflags changed). */
function goMissing(build) {
  const names = build.binaries.map(([n]) => n);
  const stamp = readGoStamp(build);
  if (!stamp || stamp.source !== goSourceHash(build)) return names;
  return names.filter(
    (n) => !isExecutable(path.join(build.binDir, n)) || !stamp.built?.includes(n),
  );
}

/** Throws a TestenvError when binaries are missing and there is no Go 1.25+ to build them. */
function goPreflight(build) {
  const missing = goMissing(build);
  if (missing.length === 0) return;
  const go = findGo();
  if (!go) {
    throw new TestenvError(
      `${build.component}: the Go toolchain (1.25 or newer) is needed to build ${missing.join(', ')} but "go" is not on PATH; ` +
        'install Go from https://go.dev/dl/ (or apt-get install golang-1.25) and put its bin folder on PATH',
    );
  }
  const ver = capture(go, ['env', 'GOVERSION']) || '';
  const m = /^go(\d+)\.(\d+)/.exec(ver);
  if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 25)) {
    throw new TestenvError(
      `${build.component}: Go 1.25 or newer is needed to build ${build.what} (found ${ver || 'an unknown version'} at ${go}); install a newer Go from https://go.dev/dl/`,
    );
  }
}

// One `go build` at a time in this process: builds started side by side (kube and jaeger
// in `up`) would share the cores and the memory of the link step and finish no sooner.
let goQueue = Promise.resolve();
let goLastQueued = null; // the binary a new build has to wait for (null: none queued or running)

function oneGoBuildAtATime(component, name, fn) {
  if (goLastQueued) log(component, `${name} waits for the go build of ${goLastQueued} to finish`);
  goLastQueued = name;
  const next = goQueue.then(fn).finally(() => {
    if (goLastQueued === name) goLastQueued = null;
  });
  goQueue = next.catch(() => {});
  return next;
}

/**
 * Builds the missing binaries of `build` (go build -trimpath, GOFLAGS=-mod=mod,
 * GOTOOLCHAIN=local, CGO_ENABLED=0), one at a time, and records each in build.stamp.
 */
async function goBuild(build) {
  const missing = goMissing(build);
  if (missing.length === 0) {
    log(build.component, `binaries cached in ${build.binDir}`);
    return;
  }
  const go = findGo();
  mkdirp(build.binDir);
  const hash = goSourceHash(build);
  const old = readGoStamp(build);
  let built = old && old.source === hash ? old.built || [] : [];
  const env = {
    ...process.env,
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOWORK: 'off',
  };
  for (const [name, pkg, version] of build.binaries) {
    if (!missing.includes(name)) continue;
    await oneGoBuildAtATime(build.component, name, async () => {
      const t0 = Date.now();
      log(
        build.component,
        `building ${name} v${version} (go build ${pkg}; the first build takes minutes)`,
      );
      const out = path.join(build.binDir, name);
      const tmp = `${out}.tmp-${process.pid}`;
      try {
        await run(go, ['build', '-trimpath', '-ldflags', build.ldflags, '-o', tmp, pkg], {
          cwd: build.moduleDir,
          env,
          what: `go build ${pkg}`,
          heartbeat: (s) => log(build.component, `still building ${name} (${s}s)`),
        });
      } catch (err) {
        rmrf(tmp);
        throw err;
      }
      fs.renameSync(tmp, out);
      log(build.component, `built ${name} in ${elapsed(t0)}s`);
    });
    built = [...new Set([...built, name])];
    writeFileAtomic(goStampFile(build), JSON.stringify({ source: hash, built }, null, 2) + '\n');
  }
}

function writeFileAtomic(file, content, mode) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

module.exports = {
  TestenvError,
  log,
  setQuiet,
  elapsed,
  sleep,
  mkdirp,
  rmrf,
  which,
  isExecutable,
  run,
  capture,
  pidFile,
  readPid,
  isOurProcess,
  alive,
  startDetached,
  stopPid,
  tailFile,
  portOpen,
  portFree,
  assertPortsFree,
  waitFor,
  httpGet,
  findGo,
  goMissing,
  goPreflight,
  goBuild,
  writeFileAtomic,
};

/** Pids of live processes whose command line contains `marker` (this checkout's paths). */
function findProcesses(marker) {
  const pids = [];
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    if (isOurProcess(pid, marker)) pids.push(pid);
  }
  return pids;
}

module.exports.findProcesses = findProcesses;
