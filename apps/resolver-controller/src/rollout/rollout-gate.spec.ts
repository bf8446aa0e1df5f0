import fc from 'fast-check';
import { resolveWorld, type ModuleManifest } from '@anvil/capability-model';
import { exampleSet } from '../testing/fixtures';
import { boundVersions, heldManifests, resolvedVersions, type ModuleVersion } from './rollout-gate';

const manifest = (module: string, version: string) =>
  ({ metadata: { name: `${module}-${version}` }, spec: { module, version } }) as ModuleManifest;
const names = (list: ModuleManifest[] | undefined) => list?.map((m) => m.metadata.name);

describe('heldManifests', () => {
  const all = [
    manifest('physics', '1.3.0'),
    manifest('physics', '1.4.0'),
    manifest('physics', '1.5.0'),
    manifest('interaction', '1.0.0'),
  ];
  const bound = [
    { module: 'physics', version: '1.3.0' },
    { module: 'interaction', version: '1.0.0' },
  ];
  const wanted = [
    { module: 'physics', version: '1.5.0' },
    { module: 'interaction', version: '1.0.0' },
  ];

  it('holds a module on its bound version, leaving out every version of it not Ready', () => {
    expect(names(heldManifests(wanted, bound, all, () => false))).toEqual([
      'physics-1.3.0',
      'interaction-1.0.0',
    ]);
    const only14 = (module: string, version: string) => version === '1.4.0';
    expect(names(heldManifests(wanted, bound, all, only14))).toEqual([
      'physics-1.3.0',
      'physics-1.4.0',
      'interaction-1.0.0',
    ]);
  });

  it('holds nothing when the wanted version is Ready, bound already, or nothing is bound', () => {
    expect(heldManifests(wanted, bound, all, (m, v) => v === '1.5.0')).toBeUndefined();
    expect(heldManifests(bound, bound, all, () => false)).toBeUndefined();
    expect(heldManifests(wanted, [], all, () => false)).toBeUndefined();
  });

  it("holds nothing when the bound version's manifest is gone", () => {
    const without13 = all.filter((m) => m.spec.version !== '1.3.0');
    expect(heldManifests(wanted, bound, without13, () => false)).toBeUndefined();
  });

  const version = fc.constantFrom('1.0.0', '1.1.0', '2.0.0');
  const moduleName = fc.constantFrom('a', 'b', 'c');
  const perModule = fc
    .uniqueArray(fc.record({ module: moduleName, version }), { selector: (v) => v.module })
    .map((list) => list as ModuleVersion[]);

  it('keeps every manifest but the not-Ready other versions of a waiting module (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ module: moduleName, version }), {
          selector: (v) => `${v.module}@${v.version}`,
        }),
        perModule,
        perModule,
        fc.func(fc.boolean()),
        (specs, wanted, bound, readyFn) => {
          const manifests = specs.map((s) => manifest(s.module, s.version));
          const isReady = (m: string, v: string) => readyFn(`${m}@${v}`);
          const held = heldManifests(wanted, bound, manifests, isReady);
          const present = (m: string, v: string) =>
            specs.some((s) => s.module === m && s.version === v);
          const boundOf = (m: string) => bound.find((b) => b.module === m)?.version;
          const waiting = new Set(
            wanted
              .filter(({ module, version }) => {
                const current = boundOf(module);
                return (
                  current !== undefined &&
                  current !== version &&
                  !isReady(module, version) &&
                  present(module, current)
                );
              })
              .map((w) => w.module),
          );
          if (waiting.size === 0) return held === undefined;
          const expected = manifests.filter(
            ({ spec }) =>
              !waiting.has(spec.module) ||
              spec.version === boundOf(spec.module) ||
              isReady(spec.module, spec.version),
          );
          return JSON.stringify(held) === JSON.stringify(expected);
        },
      ),
    );
  });

  it('holds nothing once every version runs (property)', () => {
    fc.assert(
      fc.property(perModule, perModule, (wanted, bound) => {
        const manifests = [...wanted, ...bound].map((v) => manifest(v.module, v.version));
        return heldManifests(wanted, bound, manifests, () => true) === undefined;
      }),
    );
  });
});

describe('boundVersions', () => {
  it('lists each version a binding names once, provider and consumer', () => {
    const binding = (consumer: ModuleVersion, provider: ModuleVersion) => ({
      spec: { consumer, provider },
    });
    const interaction = { module: 'interaction', version: '1.0.0' };
    expect(
      boundVersions([
        binding(interaction, { module: 'physics', version: '1.3.0' }),
        binding(interaction, { module: 'store', version: '2.0.0' }),
      ]),
    ).toEqual([
      { module: 'physics', version: '1.3.0' },
      interaction,
      { module: 'store', version: '2.0.0' },
    ]);
  });
});

describe('resolvedVersions', () => {
  it('lists the participants some binding names, not the modules nothing binds', () => {
    const { manifests, game, world } = exampleSet('games');
    expect(resolvedVersions(resolveWorld(world, game, manifests))).toEqual([
      { module: 'analytics-kafka', version: '1.0.0' },
      { module: 'interaction-engine', version: '1.0.0' },
      { module: 'physics-rapier', version: '1.3.0' },
    ]);
  });
});
