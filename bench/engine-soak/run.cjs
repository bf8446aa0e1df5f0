// Engine soak benchmark (`npm run bench engine-soak`, or `node bench/engine-soak/run.cjs
// --seconds 60`): the BUILT physics engine in a process of its own, ticking on its clock, while
// a client creates worlds and fills them with bodies up to the quotas through gRPC, checks the
// over-quota answer, lets them run, and closes them again, over and over. Reports the engine's
// RSS after a warm-up and at the end; the goal is a ratio of at most 1.10 (memory stays flat).
// Loopback only. Default 5 minutes; BENCH_SOAK_SECONDS or --seconds override it.
//
// RSS is sampled every second and each reading is the lowest sample of a 30 s window (the floor
// between garbage collections: what the process retains, not where its sawtooth happens to be).
// The warm-up (40% of the run, 10..120 s) lets the engine reach its high-water marks first: the
// in-memory bus filling its retention (6 partitions x 8 MiB) and Rapier's WASM memory, which
// grows to the largest scene and is reused, never returned.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { median, report } = require('../stats.cjs');

/** The floor of a window of samples. */
const floorOf = (samples) => Math.min(...samples.map((s) => s.rss));
const {
  BodyKind,
  BodyShape,
  EngineClient,
  EngineErrorCode,
  freePort,
} = require('@anvil/engine-contract');

const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = Number(
  argSeconds > 0 ? process.argv[argSeconds + 1] : (process.env.BENCH_SOAK_SECONDS ?? 300),
);
/** Warm-up before the first RSS reading: 40% of the run, between 10 and 120 s. */
const WARMUP_S = Math.min(120, Math.max(10, Math.round(SECONDS * 0.4)));
const SAMPLE_MS = 1_000;
/** Samples (seconds) whose lowest is one reading: "after warm-up" and "at the end". */
const WINDOW = Math.min(30, Math.max(3, Math.round(SECONDS * 0.1)));
const QUOTA = { worlds: 8, bodiesPerWorld: 250, bodiesTotal: 2_000 };
const TOKEN = crypto.randomBytes(24).toString('base64url');
const MAIN = path.join(__dirname, '..', '..', 'apps', 'physics-engine', 'dist', 'main.js');

/** Resident set size of a process in bytes (Linux /proc; `ps` elsewhere). */
function rssOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
  } catch {
    const { execFileSync } = require('node:child_process');
    return (
      Number(
        execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
          .toString()
          .trim(),
      ) * 1024
    );
  }
}

async function startEngine() {
  const port = await freePort('127.0.0.1');
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      ENGINE_TOKEN: TOKEN,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      TICK_HZ: '30',
      MAX_WORLDS: String(QUOTA.worlds),
      MAX_WORLDS_PER_CALLER: String(QUOTA.worlds),
      MAX_BODIES_PER_WORLD: String(QUOTA.bodiesPerWorld),
      MAX_BODIES_TOTAL: String(QUOTA.bodiesTotal),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c) => void (output = (output + c).slice(-20_000)));
  child.stderr.on('data', (c) => void (output = (output + c).slice(-20_000)));
  const client = new EngineClient(`127.0.0.1:${port}`, {
    access: { token: TOKEN, caller: 'soak' },
    deadlineMs: 10_000,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the engine exited:\n${output}`);
    const up = await client.snapshot({ worldId: 'probe' }).then(
      () => true,
      (e) => e.code === EngineErrorCode.NotFound,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the engine did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, client, output: () => output };
}

const spawnBody = (bodyId, i) => ({
  kind: {
    $case: 'spawnBody',
    value: {
      bodyId,
      kind: BodyKind.BODY_KIND_DYNAMIC,
      shape: i % 2 ? BodyShape.BODY_SHAPE_BALL : BodyShape.BODY_SHAPE_BOX,
      halfWidthMm: 150,
      halfHeightMm: 150,
      xMm: 1_000 + ((i * 397) % 38_000),
      yMm: 2_000 + ((i * 131) % 15_000),
      vxMmS: ((i * 37) % 4_000) - 2_000,
      vyMmS: 0,
      lockRotation: false,
    },
  },
});

/** Expects a call to be refused RESOURCE_EXHAUSTED; counts it. */
async function expectExhausted(call, counts) {
  const error = await call.then(
    () => undefined,
    (e) => e,
  );
  if (error?.code !== EngineErrorCode.ResourceExhausted)
    throw new Error(`expected RESOURCE_EXHAUSTED past the quota, got ${error?.code ?? 'success'}`);
  counts.refused++;
}

/** One cycle: worlds and bodies up to the quotas, a moment of ticking, then every world closed. */
async function cycle(client, n, counts) {
  const worlds = Array.from({ length: QUOTA.worlds }, (_, i) => `soak-${n}-${i}`);
  for (const worldId of worlds) await client.init({ worldId });
  await expectExhausted(client.init({ worldId: `soak-${n}-over` }), counts);
  const perWorld = Math.floor(QUOTA.bodiesTotal / QUOTA.worlds);
  for (const [w, worldId] of worlds.entries()) {
    const calls = [];
    for (let i = 0; i < perWorld; i++)
      calls.push(client.applyCommand({ worldId, command: spawnBody(`b${i}`, w * perWorld + i) }));
    await Promise.all(calls);
    counts.bodies += perWorld;
  }
  await expectExhausted(
    client.applyCommand({ worldId: worlds[0], command: spawnBody('over', 0) }),
    counts,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  for (const worldId of worlds) {
    const { closed } = await client.closeWorld({ worldId });
    if (!closed) throw new Error(`${worldId} was not running`);
  }
  if ((await client.closeWorld({ worldId: worlds[0] })).closed)
    throw new Error('closing twice closed something');
  counts.worlds += worlds.length;
  counts.cycles++;
}

async function main() {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the physics engine first`);
  const { child, client, output } = await startEngine();
  const counts = { cycles: 0, worlds: 0, bodies: 0, refused: 0 };
  const samples = [];
  const started = Date.now();
  const sampler = setInterval(
    () => samples.push({ t: (Date.now() - started) / 1_000, rss: rssOf(child.pid) }),
    SAMPLE_MS,
  );
  try {
    while (Date.now() - started < SECONDS * 1_000) {
      await cycle(client, counts.cycles, counts);
      if (child.exitCode !== null) throw new Error(`the engine exited:\n${output()}`);
    }
  } finally {
    clearInterval(sampler);
    client.close();
    child.kill('SIGTERM');
  }
  const afterWarmup = samples.filter((s) => s.t >= WARMUP_S).slice(0, WINDOW);
  const atEnd = samples.slice(-WINDOW);
  const mib = (bytes) => bytes / 1024 / 1024;
  const warm = floorOf(afterWarmup);
  const end = floorOf(atEnd);
  const rows = [
    {
      seconds: SECONDS,
      warmupS: WARMUP_S,
      cycles: counts.cycles,
      worlds: counts.worlds,
      bodies: counts.bodies,
      refused: counts.refused,
      rssWarmMiB: mib(warm),
      rssEndMiB: mib(end),
      rssMaxMiB: mib(Math.max(...samples.map((s) => s.rss))),
      rssMedianEndMiB: mib(median(atEnd.map((s) => s.rss))),
      ratio: end / warm,
    },
  ];
  report('engine-soak', rows, {
    goal: 'ratio <= 1.10',
    quota: QUOTA,
    samples: samples.map((s) => ({ t: s.t, rssMiB: Number(mib(s.rss).toFixed(1)) })),
  });
  if (!(end / warm <= 1.1)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
