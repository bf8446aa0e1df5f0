// Controller benchmark: 200 worlds of the example game created at once, timed until every one
// is Resolved, against a baseline measured in the same run: the same client creating, directly,
// the same CapabilityBinding objects the controller writes for those worlds (2 per world).
// Both sides use the same Node client (client-node with the controller's keep-alive agents,
// from apps/resolver-controller/dist) and the same cap on writes in flight (the controller's
// MAX_CONCURRENT_WRITES; the bench's own world creates are capped the same way). Runs alternate.
// Run: npm run bench controller   (or: npx nx run resolver-controller:build && node bench/controller/run.cjs)
const path = require('node:path');
const { median, percentile, report } = require('../stats.cjs');
const {
  APP,
  ROOT,
  testenv,
  kubectl,
  ensureBuilt,
  startController,
  deleteNamespace,
} = require('./cluster.cjs');

const WORLDS = Number(process.env.BENCH_WORLDS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8); // controller workers (its default)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 20); // writes in flight on both sides (the controller's MAX_CONCURRENT_WRITES default)
const GROUP = 'anvil.dev';
const VERSION = 'v1alpha1';
// The example game's inputs only (deploy/examples holds other games and their worlds too).
const INPUTS = [
  'analytics-sinks',
  'game',
  'interaction-engine',
  'physics-legacy',
  'physics-rapier',
];
const GAME = 'arena';

const worldName = (i) => `w-${String(i).padStart(4, '0')}`;
const worldBody = (i) => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'WorldInstance',
  metadata: { name: worldName(i) },
  spec: { gameRef: GAME, region: 'eu-west', shards: 2 },
});

/** Runs `task(i)` for i in [0, n) with at most `limit` in flight. */
async function pool(n, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

function newNamespace(env, prefix, withInputs) {
  const name = `${prefix}-${Date.now().toString(36)}`;
  kubectl(env, ['create', 'namespace', name]);
  if (withInputs)
    kubectl(env, [
      'apply',
      '-n',
      name,
      ...INPUTS.flatMap((f) => ['-f', path.join(ROOT, 'deploy', 'examples', `${f}.yaml`)]),
    ]);
  return name;
}

/** The bindings the controller writes for WORLDS worlds (its own pure code), without owners. */
function bindingBodies(namespace) {
  const { resolve } = require('@anvil/capability-model');
  const { desiredBindings } = require(path.join(APP, 'dist', 'reconcile', 'desired-bindings.js'));
  const { loadExamples } = examples();
  const objects = loadExamples(namespace);
  const manifests = objects.filter((o) => o.kind === 'ModuleManifest');
  const game = objects.find((o) => o.kind === 'GameDefinition' && o.metadata.name === GAME);
  const bodies = [];
  for (let i = 0; i < WORLDS; i++) {
    const world = { ...worldBody(i), metadata: { name: worldName(i), namespace, uid: 'none' } };
    for (const b of desiredBindings(world, resolve(world, game, manifests), manifests)) {
      delete b.metadata.ownerReferences; // no owner in this namespace: the GC must not collect them
      bodies.push(b);
    }
  }
  return bodies;
}

function examples() {
  const fs = require('node:fs');
  const YAML = require(require.resolve('yaml', { paths: [APP] }));
  const dir = path.join(ROOT, 'deploy', 'examples');
  return {
    loadExamples: (namespace) =>
      fs
        .readdirSync(dir)
        .filter((f) => INPUTS.includes(f.replace(/\.yaml$/, '')))
        .flatMap((f) =>
          YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))
            .map((d) => d.toJS())
            .filter(Boolean)
            .map((o) => ({ ...o, metadata: { ...o.metadata, namespace } })),
        ),
  };
}

async function baselineRun(env, apis) {
  const namespace = newNamespace(env, 'bench-raw', false);
  const bodies = bindingBodies(namespace);
  const start = performance.now();
  await pool(bodies.length, IN_FLIGHT, (i) =>
    apis.customObjects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'capabilitybindings',
      body: bodies[i],
    }),
  );
  const ms = performance.now() - start;
  await deleteNamespace(env, namespace);
  return { ms, objects: bodies.length };
}

async function controllerRun(env, apis, k8s) {
  const namespace = newNamespace(env, 'bench-ctl', true);
  const controller = await startController(env, namespace, CONCURRENCY, IN_FLIGHT);
  const created = new Map();
  const resolved = new Map();
  let allResolved;
  const done = new Promise((r) => (allResolved = r));
  const watch = await new k8s.Watch(apis.kubeConfig).watch(
    `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/worldinstances`,
    {},
    (_type, world) => {
      const ok = (world.status?.conditions ?? []).some(
        (c) => c.type === 'Resolved' && c.status === 'True',
      );
      if (ok && !resolved.has(world.metadata.name)) {
        resolved.set(world.metadata.name, performance.now());
        if (resolved.size === WORLDS) allResolved();
      }
    },
    () => undefined,
  );
  const start = performance.now();
  await pool(WORLDS, IN_FLIGHT, async (i) => {
    const sent = performance.now();
    await apis.customObjects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'worldinstances',
      body: worldBody(i),
    });
    created.set(worldName(i), sent);
  });
  await done;
  const ms = performance.now() - start;
  watch.abort();
  const latencies = [...resolved].map(([name, at]) => at - created.get(name));
  const metrics = await fetch(`http://127.0.0.1:${controller.port}/metrics`).then((r) => r.text());
  const sum = (prefix) =>
    metrics
      .split('\n')
      .filter((l) => l.startsWith(prefix))
      .reduce((total, l) => total + Number(l.split(' ').pop()), 0);
  const writes = sum('anvil_resolver_writes_total');
  if (process.env.BENCH_DEBUG)
    console.log({
      cpuSeconds: sum('process_cpu_seconds_total'),
      reconciles: sum('anvil_resolver_reconciles_total'),
      reconcileSeconds: sum('anvil_resolver_reconcile_duration_seconds_sum'),
    });
  await controller.stop();
  await deleteNamespace(env, namespace);
  return { ms, latencies, writes };
}

async function main() {
  const env = testenv();
  ensureBuilt();
  kubectl(env, [
    'apply',
    '--server-side',
    '--force-conflicts',
    '-f',
    path.join(ROOT, 'deploy', 'crds'),
  ]);
  kubectl(env, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...['modulemanifests', 'gamedefinitions', 'worldinstances', 'capabilitybindings'].map(
      (p) => `crd/${p}.anvil.dev`,
    ),
  ]);
  const k8s = await import('@kubernetes/client-node');
  const { createKubeApis } = require(path.join(APP, 'dist', 'kube', 'kube-apis.js'));
  const apis = createKubeApis({ kubeconfig: env.KUBECONFIG });
  const base = [];
  const ctl = [];
  for (let run = 0; run < RUNS; run++) {
    base.push(await baselineRun(env, apis));
    ctl.push(await controllerRun(env, apis, k8s));
    console.log(
      `run ${run + 1}/${RUNS}: baseline ${base[run].ms.toFixed(0)} ms, controller ${ctl[run].ms.toFixed(0)} ms`,
    );
  }
  const baselineMs = median(base.map((r) => r.ms));
  const controllerMs = median(ctl.map((r) => r.ms));
  const latencies = ctl.flatMap((r) => r.latencies);
  const rows = [
    {
      measure: `baseline: create ${base[0].objects} CapabilityBindings directly`,
      'median ms': baselineMs,
      runs: RUNS,
    },
    {
      measure: `controller: ${WORLDS} worlds created -> all Resolved`,
      'median ms': controllerMs,
      runs: RUNS,
    },
    { measure: 'ratio controller / baseline (goal < 1.5)', 'median ms': controllerMs / baselineMs },
    {
      measure:
        'per API write: (controller ms / its writes incl. world creates) / (baseline ms / bindings)',
      'median ms':
        controllerMs / (median(ctl.map((r) => r.writes)) + WORLDS) / (baselineMs / base[0].objects),
    },
    { measure: 'world created -> Resolved, median', 'median ms': median(latencies) },
    { measure: 'world created -> Resolved, p95', 'median ms': percentile(latencies, 95) },
  ];
  report('controller', rows, {
    worlds: WORLDS,
    bindingsPerWorld: base[0].objects / WORLDS,
    controllerWritesPerRun: ctl.map((r) => r.writes),
    inFlight: IN_FLIGHT,
    concurrency: CONCURRENCY,
    baselineRunsMs: base.map((r) => r.ms),
    controllerRunsMs: ctl.map((r) => r.ms),
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
