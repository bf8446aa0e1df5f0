// Deterministic synthetic inputs for the resolver benchmark (seeded PRNG, no IO).
const SCOPES = ['cluster', 'region', 'world', 'world-shard', 'session'];
// Capability versions are 1.x.y or 2.x.y (3.x.y after a major bump). Most constraints are
// broad; the narrow ones (a major line, a minor line, a major nobody offers) leave some
// requirements unresolved, so diagnostics with near misses are part of the work.
const BROAD = ['>=1.0.0', '*', '1.x || 2.x || 3.x', '>=1.2.0 <4.0.0'];
const NARROW = ['^1.0.0', '^2.0.0', '^2.1.0', '~1.4.0', '^3.0.0'];

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function picker(random) {
  const int = (n) => Math.floor(random() * n);
  const pick = (list) => list[int(list.length)];
  const version = () => `${1 + int(2)}.${int(10)}.${int(10)}`;
  const distinct = (count, n, exclude = new Set()) => {
    const out = new Set();
    while (out.size < count) {
      const i = int(n);
      if (!exclude.has(i)) out.add(i);
    }
    return [...out];
  };
  return { int, pick, version, distinct };
}

/** Each capability id has a home scope; 10% of offers and requirements use another one (near misses). */
function scopeFor(r, homes, capability) {
  return r.int(10) === 0 ? r.pick(SCOPES) : homes[capability];
}

function manifest(r, homes, { module, version, capabilities, offers, requirements }) {
  const provided = r.distinct(offers, capabilities);
  const required = r.distinct(requirements, capabilities, new Set(provided));
  return {
    apiVersion: 'anvil.dev/v1alpha1',
    kind: 'ModuleManifest',
    metadata: { name: `${module}-${version}` },
    spec: {
      module,
      version,
      image: `example/${module}:${version}`,
      endpoint: { port: 50051, protocol: 'grpc' },
      provides: provided.map((c) => ({
        capabilityId: `cap-${c}.api`,
        version: r.version(),
        scope: scopeFor(r, homes, c),
      })),
      requires: required.map((c) => ({
        capabilityId: `cap-${c}.api`,
        versionConstraint: r.int(10) < 6 ? r.pick(BROAD) : r.pick(NARROW),
        scope: scopeFor(r, homes, c),
        multiplicity: r.int(5) === 0 ? 'many' : '1',
        dependencyMode: r.int(5) === 0 ? 'optional' : 'required',
      })),
    },
  };
}

const world = (name, gameRef, shards) => ({
  apiVersion: 'anvil.dev/v1alpha1',
  kind: 'WorldInstance',
  metadata: { name },
  spec: { gameRef, region: 'eu-west', shards },
});

const game = (name, modules) => ({
  apiVersion: 'anvil.dev/v1alpha1',
  kind: 'GameDefinition',
  metadata: { name },
  spec: { modules },
});

/** (a) One world over `modules` single-version manifests, `requirements` per module. */
function oneLargeWorld({
  seed = 1,
  modules = 5000,
  capabilities = 500,
  requirements = 4,
  shards = 2,
} = {}) {
  const r = picker(mulberry32(seed));
  const homes = Array.from({ length: capabilities }, () => r.pick(SCOPES));
  const manifests = Array.from({ length: modules }, (_, i) =>
    manifest(r, homes, {
      module: `mod-${i}`,
      version: '1.0.0',
      capabilities,
      offers: 1 + r.int(2),
      requirements,
    }),
  );
  const g = game(
    'big',
    manifests.map((m, i) =>
      i % 2 ? { name: m.spec.module, versionConstraint: '^1.0.0' } : { name: m.spec.module },
    ),
  );
  return { worlds: [world('big-1', 'big', shards)], games: new Map([['big', g]]), manifests };
}

/** The 2.1.0 manifest of a module: same capabilities, offered one major version higher. */
function nextMajor(m) {
  const bump = (v) => v.replace(/^(\d+)/, (major) => String(Number(major) + 1));
  const version = '2.1.0';
  const spec = {
    ...m.spec,
    version,
    image: `example/${m.spec.module}:${version}`,
    provides: m.spec.provides.map((p) => ({ ...p, version: bump(p.version) })),
  };
  return { ...m, metadata: { name: `${m.spec.module}-${version}` }, spec };
}

/**
 * A game as a team would compose it: a few modules, then for each capability they require
 * and no module of the game offers, a module that offers it (when one exists).
 */
function composeGame(r, name, seeds, offeredBy, requiresOf) {
  const inGame = new Set(seeds);
  const queue = [...seeds];
  while (queue.length) {
    for (const key of requiresOf[queue.shift()]) {
      const providers = offeredBy.get(key) ?? [];
      if (providers.some((p) => inGame.has(p)) || providers.length === 0) continue;
      const added = r.pick(providers);
      inGame.add(added);
      queue.push(added);
    }
  }
  const refs = [...inGame]
    .sort((a, b) => a - b)
    .map((i) => ({
      name: `mod-${i}`,
      ...(r.int(3) ? { versionConstraint: r.pick(['^1.0.0', '^2.0.0']) } : {}),
    }));
  return game(name, refs);
}

/** (b) `worlds` worlds over `modules` x 2 versions; each world's game is composed from a few modules. */
function manyWorlds({
  seed = 2,
  worlds = 1000,
  modules = 100,
  capabilities = 40,
  games = 50,
} = {}) {
  const r = picker(mulberry32(seed));
  const homes = Array.from({ length: capabilities }, () => r.pick(SCOPES));
  const manifests = [];
  const offeredBy = new Map();
  const requiresOf = [];
  for (let i = 0; i < modules; i++) {
    const first = manifest(r, homes, {
      module: `mod-${i}`,
      version: '1.4.0',
      capabilities,
      offers: 1 + r.int(2),
      requirements: 2 + r.int(3),
    });
    manifests.push(first, nextMajor(first));
    for (const p of first.spec.provides) {
      const key = `${p.scope} ${p.capabilityId}`;
      offeredBy.set(key, [...(offeredBy.get(key) ?? []), i]);
    }
    requiresOf.push(first.spec.requires.map((q) => `${q.scope} ${q.capabilityId}`));
  }
  const gameMap = new Map();
  for (let g = 0; g < games; g++) {
    gameMap.set(
      `game-${g}`,
      composeGame(r, `game-${g}`, r.distinct(5 + r.int(6), modules), offeredBy, requiresOf),
    );
  }
  const worldList = Array.from({ length: worlds }, (_, w) =>
    world(`world-${w}`, `game-${w % games}`, 1 + r.int(4)),
  );
  return { worlds: worldList, games: gameMap, manifests };
}

module.exports = { mulberry32, oneLargeWorld, manyWorlds };
