// Placement benchmark: 1,000 worlds placed on 10 physics replicas, against the raw writes a
// placement needs, measured in the same run on the same PostgreSQL (tools/testenv).
// A placement is what a replica does to own a world (docs/decisions.md, "World ownership"):
// pick the replica from the replicas' reports (planTakeover, pure; the reports are re-read once
// per PLAN_EVERY placements, as a takeover round does) and acquire the world's lease for it (one
// compare-and-set statement). The baseline is that statement alone, through the raw driver (the
// write a placement needs); a plain INSERT of the same row is shown as the floor. All sides use
// one pool of POOL connections and keep IN_FLIGHT placements in flight. Runs alternate.
// Run: npm run testenv:up && npm run bench placement
const path = require('node:path');
const { Pool } = require('pg');
const { median, percentile, report } = require('../stats.cjs');
const { readTestenv } = require('../../tools/jest/testenv-file.cjs');

const ROOT = path.join(__dirname, '..', '..');
const WORLDS = Number(process.env.BENCH_WORLDS ?? 1_000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16);
const POOL = 10; // the storage library's pool size
const PLAN_EVERY = 100;
const ROLE = 'physics';
const SPEC = {
  settings: { widthMm: 40_000, heightMm: 20_000, gravityYMmS2: -9_810, maxBodies: 10_000 },
  caller: 'bench',
};

/** Runs `task(i)` for i in [0, n) with at most `limit` in flight. */
async function pool(n, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** Runs the placements; returns { ms, latencies }. */
async function timed(place) {
  const latencies = [];
  const start = process.hrtime.bigint();
  await pool(WORLDS, IN_FLIGHT, async (i) => {
    const t = process.hrtime.bigint();
    await place(i);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, latencies };
}

async function main() {
  const env = readTestenv();
  if (!env.DATABASE_URL) throw new Error('testenv has no DATABASE_URL: run `npm run testenv:up`');
  const { createStorage, ACQUIRE_SQL } = require(path.join(ROOT, 'libs', 'storage', 'dist'));
  const { planTakeover } = require(path.join(ROOT, 'libs', 'ownership', 'dist'));
  const schema = `bench_placement_${Date.now().toString(36)}`;
  const url = new URL(env.DATABASE_URL);
  url.searchParams.set('schema', schema);
  const storage = await createStorage({ url: url.toString() });
  await storage.migrate();
  const raw = new Pool({
    connectionString: env.DATABASE_URL,
    max: POOL,
    options: `-c search_path=${schema}`,
  });
  await raw.query(
    'CREATE TABLE raw_leases (LIKE world_leases INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
  );
  const replicaIds = Array.from({ length: REPLICAS }, (_, i) => `physics-${i}`);
  const report1 = (id, worlds) => ({
    role: ROLE,
    replicaId: id,
    address: `${id}.physics:50051`,
    worlds,
    bodies: 0,
    maxWorlds: 1_000,
    maxBodies: 1_000_000,
    ttlMs: 600_000,
  });
  for (const id of replicaIds) await storage.replicas.heartbeat(report1(id, 0));

  const anvil = async (run) => {
    let reports = [];
    const chosen = new Map();
    return timed(async (i) => {
      if (i % PLAN_EVERY === 0 || reports.length === 0) {
        reports = (await storage.replicas.live(ROLE)).map((r) => ({
          ...r,
          worlds: r.worlds + (chosen.get(r.replicaId) ?? 0),
        }));
      }
      const worldId = `r${run}-w${i}`;
      const holder = planTakeover([{ worldId }], reports).get(worldId);
      const load = reports.find((r) => r.replicaId === holder);
      load.worlds++;
      chosen.set(holder, (chosen.get(holder) ?? 0) + 1);
      await storage.leases.acquire({
        worldId,
        role: ROLE,
        holder,
        address: load.address,
        ttlMs: 600_000,
        spec: SPEC,
      });
    });
  };
  const holderOf = (i) => replicaIds[i % REPLICAS];
  const baseline = (run) =>
    timed((i) =>
      raw.query(ACQUIRE_SQL, [
        `c${run}-w${i}`,
        ROLE,
        holderOf(i),
        `${holderOf(i)}.physics:50051`,
        600_000,
        JSON.stringify(SPEC),
        1,
      ]),
    );
  const floor = (run) =>
    timed((i) =>
      raw.query(
        `INSERT INTO raw_leases (world_id, role, holder, address, epoch, acquired_at, expires_at, released, spec)
         VALUES ($1, $2, $3, $4, 1, now(), now() + interval '600 seconds', false, $5::jsonb)`,
        [
          `r${run}-w${i}`,
          ROLE,
          replicaIds[i % REPLICAS],
          `${replicaIds[i % REPLICAS]}.physics:50051`,
          JSON.stringify(SPEC),
        ],
      ),
    );

  const runs = [];
  try {
    await anvil(-1); // warm-up of every side
    await baseline(-1);
    await floor(-1);
    for (let run = 0; run < RUNS; run++) {
      const base = await baseline(run);
      const ours = await anvil(run);
      const plain = await floor(run);
      runs.push({ base, ours, plain });
      console.log(
        `run ${run + 1}/${RUNS}: anvil ${ours.ms.toFixed(0)} ms, raw compare-and-set ${base.ms.toFixed(0)} ms, plain INSERT ${plain.ms.toFixed(0)} ms`,
      );
    }
    const spread = await storage.leases.list(ROLE, { limit: 10_000 });
    const perReplica = new Map();
    for (const l of spread.filter((x) => x.worldId.startsWith('r')))
      perReplica.set(l.holder, (perReplica.get(l.holder) ?? 0) + 1);
    const counts = [...perReplica.values()];
    const perSecond = (r) => (WORLDS / r.ms) * 1000;
    const rows = [
      {
        side: 'anvil placement',
        'placements/s (median)': median(runs.map((r) => perSecond(r.ours))),
        'p99 ms (median)': median(runs.map((r) => percentile(r.ours.latencies, 99))),
        'ratio (median)': median(runs.map((r) => r.ours.ms / r.base.ms)),
      },
      {
        side: 'raw compare-and-set (baseline)',
        'placements/s (median)': median(runs.map((r) => perSecond(r.base))),
        'p99 ms (median)': median(runs.map((r) => percentile(r.base.latencies, 99))),
        'ratio (median)': 1,
      },
      {
        side: 'raw plain INSERT (floor)',
        'placements/s (median)': median(runs.map((r) => perSecond(r.plain))),
        'p99 ms (median)': median(runs.map((r) => percentile(r.plain.latencies, 99))),
        'ratio (median)': median(runs.map((r) => r.plain.ms / r.base.ms)),
      },
    ];
    report('placement', rows, {
      worlds: WORLDS,
      replicas: REPLICAS,
      runs: RUNS,
      inFlight: IN_FLIGHT,
      worldsPerReplica: { min: Math.min(...counts), max: Math.max(...counts) },
    });
    console.log(`worlds per replica over all runs: ${Math.min(...counts)}..${Math.max(...counts)}`);
  } finally {
    await raw.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await raw.end();
    await storage.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
