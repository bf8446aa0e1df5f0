// Resolver benchmark: resolve() against a baseline measured in the same run, namely one bare
// semver.satisfies(version, constraint) call per (requirement, provider of the same capability
// at the same scope) pair of the same data, i.e. the SemVer work any resolver must do.
//   (a) one world over 5,000 manifests / 20,000 requirements
//   (b) 1,000 worlds over the same 200 manifests
// Each scenario runs in its own process (so one scenario's JIT state cannot slow the next),
// alternating resolve and baseline runs so both see the same machine noise.
// Run: npx nx run capability-model:build && node --expose-gc bench/resolver/run.cjs
const { execFileSync } = require('node:child_process');
const semver = require('semver');
const { resolve } = require('@anvil/capability-model');
const { median, timeRuns, report } = require('../stats.cjs');
const { oneLargeWorld, manyWorlds } = require('./data.cjs');

const SCENARIOS = {
  a: { name: '(a) 1 world x 5,000 manifests', data: () => oneLargeWorld(), runs: 9, warmup: 2 },
  b: { name: '(b) 1,000 worlds x 200 manifests', data: () => manyWorlds(), runs: 9, warmup: 2 },
};

/** The (version, constraint) pairs of one resolution: participants' requirements x same-key offers (not self). */
function satisfiesPairs(participants, manifestsByName) {
  const chosen = participants.map((p) => manifestsByName.get(p.manifestName));
  const offers = new Map();
  for (const m of chosen) {
    for (const p of m.spec.provides) {
      const key = `${p.scope} ${p.capabilityId}`;
      if (!offers.has(key)) offers.set(key, []);
      offers.get(key).push({ module: m.spec.module, version: p.version });
    }
  }
  const pairs = [];
  for (const m of chosen) {
    for (const r of m.spec.requires) {
      for (const o of offers.get(`${r.scope} ${r.capabilityId}`) ?? []) {
        if (o.module !== m.spec.module) pairs.push([o.version, r.versionConstraint]);
      }
    }
  }
  return pairs;
}

/**
 * The baseline's (version, constraint) pairs and the scenario's counts, from one resolution of
 * every world whose results are let go before anything is timed: a controller keeps no result
 * either, and results kept alive would teach V8 to allocate resolve()'s objects as long-lived
 * (allocation-site pretenuring), slowing every timed run down.
 */
function describe(worlds, games, manifests) {
  const byName = new Map(manifests.map((m) => [m.metadata.name, m]));
  const pairs = [];
  const counts = { requirements: 0, bindings: 0, diagnostics: 0 };
  for (const w of worlds) {
    const r = resolve(w, games.get(w.spec.gameRef), manifests);
    for (const pair of satisfiesPairs(r.participants, byName)) pairs.push(pair);
    for (const p of r.participants)
      counts.requirements += byName.get(p.manifestName).spec.requires.length;
    counts.bindings += r.bindings.length;
    counts.diagnostics += r.diagnostics.length;
  }
  return { pairs, counts };
}

/**
 * Fresh copies of the games and manifests: resolve() keeps what it worked out per game object
 * and list of manifest objects (libs/capability-model game-plan.ts), so each timed run gets
 * objects it has never seen, as after a manifest changed; "again" re-resolves the same objects.
 */
const freshInputs = (games, manifests) => ({
  games: new Map([...games].map(([name, game]) => [name, structuredClone(game)])),
  manifests: structuredClone(manifests),
});

async function measure(key) {
  const { name, data, runs, warmup } = SCENARIOS[key];
  const { worlds, games, manifests } = data();
  // Like a controller: resolve each world and let the result go (counting keeps it observable).
  const resolveAll = (inputs) => {
    let bindings = 0;
    for (const w of worlds)
      bindings += resolve(w, inputs.games.get(w.spec.gameRef), inputs.manifests).bindings.length;
    return bindings;
  };
  const { pairs, counts } = describe(worlds, games, manifests);
  const baselineAll = () => {
    let hits = 0;
    for (const [version, constraint] of pairs) if (semver.satisfies(version, constraint)) hits++;
    return hits;
  };
  const times = { resolve: [], baseline: [], again: [] };
  for (let i = 0; i < runs; i++) {
    const w = i === 0 ? warmup : 0;
    times.baseline.push(...(await timeRuns(baselineAll, { runs: 1, warmup: w })));
    const copies = Array.from({ length: w + 1 }, () => freshInputs(games, manifests));
    let last;
    const resolveFresh = () => resolveAll((last = copies.shift()));
    times.resolve.push(...(await timeRuns(resolveFresh, { runs: 1, warmup: w })));
    times.again.push(...(await timeRuns(() => resolveAll(last), { runs: 1, warmup: 0 })));
  }
  const resolveMs = median(times.resolve);
  const baselineMs = median(times.baseline);
  // Counts as strings so the table prints them as integers.
  return {
    scenario: name,
    worlds: String(worlds.length),
    manifests: String(manifests.length),
    requirements: String(counts.requirements),
    bindings: String(counts.bindings),
    diagnostics: String(counts.diagnostics),
    'satisfies pairs': String(pairs.length),
    runs: String(runs),
    'resolve median ms': resolveMs,
    'baseline median ms': baselineMs,
    ratio: resolveMs / baselineMs,
    'again median ms': median(times.again),
  };
}

async function main() {
  const only = process.argv[2];
  if (only) {
    process.stdout.write(JSON.stringify(await measure(only)));
    return;
  }
  if (!global.gc) console.warn('(run with node --expose-gc for steadier numbers)');
  const started = Date.now();
  const rows = Object.keys(SCENARIOS).map((key) =>
    JSON.parse(
      execFileSync(process.execPath, [...process.execArgv, __filename, key], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ),
  );
  report('resolver', rows, { node: process.version, seconds: (Date.now() - started) / 1000 });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
