import fc from 'fast-check';
import * as semver from 'semver';
import { bindingName } from './binding-name';
import { DNS1123_SUBDOMAIN } from './patterns';
import { isResolved, resolve } from './resolve';
import { game, manifest, need, offer, world } from './testing/builders';
import { API_VERSION, GameDefinition, ModuleManifest, SCOPES, WorldInstance } from './types';
import { validateObject } from './validate';

// Random small worlds: few names, so modules, capabilities and versions collide often.
const MODULES = ['a', 'b', 'c', 'd', 'e'];
const CAPABILITIES = ['x', 'y', 'z.w'];
const CAPABILITY_VERSIONS = [
  '0.9.0',
  '1.0.0',
  '1.2.0',
  '1.2.0+build.7',
  '2.0.0',
  '2.0.0-beta.1',
  'bad',
];
const CONSTRAINTS = [
  '^1.0.0',
  '>=1.2.0',
  '*',
  '~2.0.0',
  '^2.0.0-beta.0',
  '1.x || 2.x',
  'bogus',
  '',
];
const MODULE_VERSIONS = ['1.0.0', '1.1.0', '2.0.0', '2.0.0-rc.1'];
const GAME_CONSTRAINTS = ['^1.0.0', '*', '>=2.0.0-0', '^2.0.0', '~1.1.0'];

interface Sample {
  world: WorldInstance;
  game: GameDefinition;
  manifests: ModuleManifest[];
}

function sampleArb(options: { clean: boolean }): fc.Arbitrary<Sample> {
  const scope = options.clean
    ? fc.constantFrom(...SCOPES)
    : fc.oneof(fc.constantFrom(...SCOPES), fc.constant('galaxy'));
  const offer = fc.record({
    capabilityId: fc.constantFrom(...CAPABILITIES),
    version: fc.constantFrom(...CAPABILITY_VERSIONS),
    scope,
  });
  const need = fc.record({
    capabilityId: fc.constantFrom(...CAPABILITIES),
    versionConstraint: fc.constantFrom(...CONSTRAINTS),
    scope,
    multiplicity: fc.constantFrom('1', 'many'),
    dependencyMode: fc.constantFrom('required', 'optional'),
  });
  const list = <T extends { capabilityId: string }>(item: fc.Arbitrary<T>) =>
    options.clean
      ? fc.uniqueArray(item, { maxLength: 3, selector: (i) => i.capabilityId })
      : fc.array(item, { maxLength: 4 });
  const manifest = fc.record({
    module: fc.constantFrom(...MODULES, 'outsider'),
    version: fc.constantFrom(...MODULE_VERSIONS, ...(options.clean ? [] : ['v1'])),
    provides: list(offer),
    requires: list(need),
  });
  const module = fc.record({
    name: fc.constantFrom(...MODULES),
    versionConstraint: fc.option(fc.constantFrom(...GAME_CONSTRAINTS), { nil: undefined }),
  });
  return fc
    .record({
      manifests: fc.array(manifest, { maxLength: 9 }),
      modules: fc.uniqueArray(module, {
        minLength: options.clean ? 1 : 0,
        maxLength: 5,
        selector: (m) => m.name,
      }),
      shards: fc.integer({ min: 1, max: 3 }),
      worldName: fc.constantFrom(
        'w',
        'arena-eu-1',
        ...(options.clean ? [] : ['dotted.world', 'Upper_Case']),
      ),
    })
    .map(({ manifests, modules, shards, worldName }) => ({
      world: world(worldName, shards),
      game: game(
        modules.map(({ name, versionConstraint }) =>
          versionConstraint === undefined ? { name } : { name, versionConstraint },
        ),
      ),
      manifests: manifests.map(({ module, version, provides, requires }, i) => ({
        apiVersion: API_VERSION,
        kind: 'ModuleManifest' as const,
        metadata: { name: `${module}-${version}-${i}`.toLowerCase() },
        spec: {
          module,
          version,
          image: 'i',
          endpoint: { port: 1, protocol: 'grpc' as const },
          provides,
          requires,
        } as ModuleManifest['spec'],
      })),
    }));
}

/** Fisher-Yates with a seeded PRNG (mulberry32), so fast-check can shrink the seed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function permuted({ world, game, manifests }: Sample, seed: number): Sample {
  return {
    world,
    game: { ...game, spec: { ...game.spec, modules: shuffle(game.spec.modules, seed + 1) } },
    manifests: shuffle(manifests, seed).map((m, i) => ({
      ...m,
      spec: {
        ...m.spec,
        provides: shuffle(m.spec.provides, seed + 2 + i),
        requires: shuffle(m.spec.requires, seed + 3 + i),
      },
    })),
  };
}

const run = (s: Sample) => resolve(s.world, s.game, s.manifests);

/** The participating manifests of a resolution, by module. */
function chosenManifests(s: Sample) {
  const byName = new Map(s.manifests.map((m) => [m.metadata.name, m]));
  return new Map(run(s).participants.map((p) => [p.module, byName.get(p.manifestName)!]));
}

/** The offers a requirement may bind, best first (version desc, module asc), computed naively. */
function expectedProviders(s: Sample, consumer: string, capabilityId: string) {
  const chosen = chosenManifests(s);
  const requirement = chosen
    .get(consumer)!
    .spec.requires.find((r) => r.capabilityId === capabilityId)!;
  const offers = [...chosen.values()].flatMap((m) =>
    m.spec.provides
      .filter(
        (p) =>
          p.capabilityId === capabilityId &&
          p.scope === requirement.scope &&
          m.spec.module !== consumer,
      )
      .filter(
        (p) =>
          semver.valid(p.version) && semver.satisfies(p.version, requirement.versionConstraint),
      )
      .map((p) => ({ module: m.spec.module, version: p.version })),
  );
  offers.sort(
    (a, b) =>
      semver.rcompare(a.version, b.version) ||
      (a.module < b.module ? -1 : a.module > b.module ? 1 : 0),
  );
  return { requirement, offers };
}

describe('resolve (properties)', () => {
  it('gives byte-identical output for any order of manifests, provides, requires and game modules', () => {
    fc.assert(
      fc.property(sampleArb({ clean: false }), fc.integer(), (sample, seed) => {
        expect(JSON.stringify(run(permuted(sample, seed)))).toBe(JSON.stringify(run(sample)));
      }),
      { numRuns: 400 },
    );
  });

  it('is repeatable and leaves its inputs untouched (frozen inputs, same output twice)', () => {
    fc.assert(
      fc.property(sampleArb({ clean: false }), (sample) => {
        const frozen = deepFreeze(structuredClone(sample));
        const first = run(frozen);
        expect(run(frozen)).toEqual(first);
        expect(frozen).toEqual(sample);
      }),
    );
  });

  it("gives each world of a game what it gets alone, though worlds of a game share the game's plan", () => {
    const worldOf = fc.record({
      name: fc.constantFrom('w', 'arena-eu-1', 'dotted.world'),
      shards: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(0)), // 0: unusable shards
    });
    fc.assert(
      fc.property(sampleArb({ clean: false }), fc.array(worldOf, { maxLength: 6 }), (s, worlds) => {
        for (const { name, shards } of worlds) {
          const shared = resolve(world(name, shards), s.game, s.manifests);
          const alone = resolve(
            world(name, shards),
            structuredClone(s.game),
            structuredClone(s.manifests),
          );
          expect(JSON.stringify(shared)).toBe(JSON.stringify(alone));
        }
      }),
    );
  });

  it('binds only at the same scope, within the constraint, never to the consumer itself', () => {
    fc.assert(
      fc.property(sampleArb({ clean: true }), (sample) => {
        for (const b of run(sample).bindings) {
          const { requirement } = expectedProviders(sample, b.consumer, b.capabilityId);
          expect(b.scope).toBe(requirement.scope);
          expect(semver.satisfies(b.providerVersion, requirement.versionConstraint)).toBe(true);
          expect(b.provider).not.toBe(b.consumer);
          const offered = chosenManifests(sample).get(b.provider)!.spec.provides;
          expect(offered).toContainEqual({
            capabilityId: b.capabilityId,
            version: b.providerVersion,
            scope: b.scope,
          });
        }
      }),
    );
  });

  it('binds "1" to the best candidate (highest version, then smallest module) once per shard, and "many" to all', () => {
    fc.assert(
      fc.property(sampleArb({ clean: true }), (sample) => {
        const result = run(sample);
        const groups = new Map<string, typeof result.bindings>();
        for (const b of result.bindings) {
          const key = `${b.consumer} ${b.capabilityId} ${b.shard}`;
          groups.set(key, [...(groups.get(key) ?? []), b]);
        }
        for (const group of groups.values()) {
          const { requirement, offers } = expectedProviders(
            sample,
            group[0].consumer,
            group[0].capabilityId,
          );
          const expected = requirement.multiplicity === '1' ? offers.slice(0, 1) : offers;
          const actual = group.map((b) => ({ module: b.provider, version: b.providerVersion }));
          expect(actual.sort((a, b) => (a.module < b.module ? -1 : 1))).toEqual(
            [...expected].sort((a, b) => (a.module < b.module ? -1 : 1)),
          );
          if (requirement.multiplicity === '1') expect(group).toHaveLength(1);
        }
      }),
    );
  });

  it("ranks each requirement's providers 0..n-1: highest capability version first, then module name", () => {
    fc.assert(
      fc.property(sampleArb({ clean: true }), (sample) => {
        const groups = new Map<string, ReturnType<typeof run>['bindings']>();
        for (const b of run(sample).bindings) {
          const key = `${b.consumer} ${b.capabilityId} ${b.shard}`;
          groups.set(key, [...(groups.get(key) ?? []), b]);
        }
        for (const group of groups.values()) {
          const { offers } = expectedProviders(sample, group[0].consumer, group[0].capabilityId);
          const byRank = [...group].sort((a, b) => a.rank - b.rank);
          expect(byRank.map((b) => b.rank)).toEqual(group.map((_, i) => i));
          expect(byRank.map((b) => b.provider)).toEqual(
            offers.slice(0, group.length).map((o) => o.module),
          );
        }
      }),
    );
  });

  it('ranks the providers of a "many" requirement by highest capability version, then module name', () => {
    const provider = fc.record({
      module: fc.constantFrom('p', 'q', 'r', 's', 't', 'u'),
      version: fc.constantFrom('0.9.0', '1.0.0', '1.2.0', '1.2.0+build.7', '2.0.0', '1.10.0'),
    });
    const providers = fc.uniqueArray(provider, {
      minLength: 2,
      maxLength: 6,
      selector: (p) => p.module,
    });
    fc.assert(
      fc.property(providers, fc.integer({ min: 1, max: 3 }), fc.integer(), (list, shards, seed) => {
        const consumer = manifest('c', '1.0.0', {
          name: 'c',
          requires: [need('x', '*', { multiplicity: 'many', scope: 'world-shard' })],
        });
        const offers = list.map(({ module, version }) =>
          manifest(module, '1.0.0', {
            name: module,
            provides: [offer('x', version, 'world-shard')],
          }),
        );
        const result = resolve(world('w', shards), game(['c', ...list.map((p) => p.module)]), [
          consumer,
          ...shuffle(offers, seed),
        ]);
        const expected = [...list]
          .sort((a, b) => semver.rcompare(a.version, b.version) || (a.module < b.module ? -1 : 1))
          .map((p) => p.module);
        for (let shard = 0; shard < shards; shard++) {
          const ranked = result.bindings
            .filter((b) => b.shard === shard)
            .sort((a, b) => a.rank - b.rank);
          expect(ranked.map((b) => b.rank)).toEqual(expected.map((_, i) => i));
          expect(ranked.map((b) => b.provider)).toEqual(expected);
        }
      }),
    );
  });

  it('names bindings uniquely, as bindingName does, within DNS-1123 subdomain rules', () => {
    fc.assert(
      fc.property(sampleArb({ clean: false }), (sample) => {
        const { bindings } = run(sample);
        expect(new Set(bindings.map((b) => b.name)).size).toBe(bindings.length);
        for (const b of bindings) {
          expect(b.name).toBe(bindingName(b));
          expect(b.name.length).toBeLessThanOrEqual(253);
          expect(b.name).toMatch(DNS1123_SUBDOMAIN);
        }
      }),
    );
  });

  it('is resolved exactly when no diagnostic is an error, and every required requirement is bound or explained', () => {
    fc.assert(
      fc.property(sampleArb({ clean: true }), (sample) => {
        const result = run(sample);
        expect(isResolved(result)).toBe(result.diagnostics.every((d) => d.severity === 'warning'));
        for (const [module, m] of chosenManifests(sample)) {
          for (const r of m.spec.requires.filter((q) => q.dependencyMode === 'required')) {
            const bound = result.bindings.some(
              (b) => b.consumer === module && b.capabilityId === r.capabilityId,
            );
            const explained = result.diagnostics.some(
              (d) =>
                d.consumer === module &&
                d.capabilityId === r.capabilityId &&
                d.severity === 'error',
            );
            expect(bound || explained).toBe(true);
          }
        }
      }),
    );
  });

  it('never throws on garbage, and always answers with JSON-safe arrays', () => {
    const garbage = fc.anything({
      withBigInt: true,
      withNullPrototype: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
    });
    fc.assert(
      fc.property(garbage, garbage, fc.oneof(garbage, fc.array(garbage)), (w, g, ms) => {
        const result = resolve(w as WorldInstance, g as GameDefinition, ms as ModuleManifest[]);
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
        expect(isResolved(result)).toBe(false); // garbage never makes a usable world
      }),
    );
  });

  it('never throws on well-shaped objects with garbage in any field', () => {
    const garbage = fc.anything({ withBigInt: true, withNullPrototype: true });
    fc.assert(
      fc.property(
        sampleArb({ clean: false }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), garbage), { maxLength: 6 }),
        (sample, edits) => {
          const s = structuredClone(sample) as unknown as {
            manifests: Record<string, unknown>[];
            game: Record<string, unknown>;
            world: Record<string, unknown>;
          };
          for (const [target, path, value] of edits)
            corrupt(
              [s.world, s.game, ...s.manifests][target % (2 + s.manifests.length)],
              path,
              value,
            );
          const result = resolve(s.world as never, s.game as never, s.manifests as never);
          expect(JSON.parse(JSON.stringify(result))).toEqual(result);
          expect(Array.isArray(validateObject(s.manifests[0] ?? s.world))).toBe(true);
        },
      ),
    );
  });
});

/** Replaces one nested value (chosen by `pick`) of obj by `value`. */
function corrupt(obj: unknown, pick: number, value: unknown): void {
  let current = obj as Record<string, unknown>;
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(current);
    if (keys.length === 0) return;
    const key = keys[(pick >> (depth * 3)) % keys.length];
    const next = current[key];
    if (depth === 3 || typeof next !== 'object' || next === null || pick % (depth + 2) === 0) {
      current[key] = value;
      return;
    }
    current = next as Record<string, unknown>;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
