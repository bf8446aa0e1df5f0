import { isResolved } from './resolve';
import { manifest, need, offer } from './testing/builders';
import { codes, edges, only, run } from './testing/resolve-helpers';

describe('rule 1: participating manifests', () => {
  const versions = ['1.0.0', '1.5.0', '2.0.0', '2.1.0-beta.1'].map((v) =>
    manifest('p', v, { provides: [offer('x', v)] }),
  );
  const consumer = manifest('c', '1.0.0', { requires: [need('x', '*')] });

  it.each([
    [undefined, '2.0.0'],
    ['^1.0.0', '1.5.0'],
    ['~1.0.0', '1.0.0'],
    ['>=2.1.0-beta.0', '2.1.0-beta.1'],
    ['^2.1.0-beta.0 || ^1.0.0', '2.1.0-beta.1'],
  ])(
    'with constraint %s, the highest satisfying version (%s) participates',
    (constraint, expected) => {
      const r = run([...versions, consumer], {
        modules: [{ name: 'p', ...(constraint ? { versionConstraint: constraint } : {}) }, 'c'],
      });
      expect(r.participants.find((p) => p.module === 'p')).toEqual({
        module: 'p',
        version: expected,
        manifestName: `p-${expected}`,
      });
    },
  );

  it('lists participants sorted by module', () => {
    const r = run([
      manifest('zeta', '1.0.0'),
      manifest('alpha', '1.0.0'),
      manifest('mid', '1.0.0'),
    ]);
    expect(r.participants.map((p) => p.module)).toEqual(['alpha', 'mid', 'zeta']);
  });

  it('does not let modules outside the game participate', () => {
    const r = run([consumer, manifest('p', '1.0.0', { provides: [offer('x', '1.0.0')] })], {
      modules: ['c'],
    });
    expect(r.participants.map((p) => p.module)).toEqual(['c']);
    expect(r.bindings).toEqual([]);
  });

  it('reports a game module without any manifest as ModuleNotFound', () => {
    const d = only(run([consumer], { modules: ['c', 'ghost'] }), 'ModuleNotFound');
    expect(d).toMatchObject({ severity: 'error', consumer: 'ghost' });
    expect(d.message).toBe('game g includes module ghost, but no ModuleManifest for it exists');
  });

  it('reports manifests none of which satisfies the game constraint as NoSatisfyingModuleVersion', () => {
    const d = only(
      run(versions, { modules: [{ name: 'p', versionConstraint: '^3.0.0' }] }),
      'NoSatisfyingModuleVersion',
    );
    expect(d).toMatchObject({ severity: 'error', consumer: 'p' });
    expect(d.message).toBe(
      'game g wants module p ^3.0.0: no ModuleManifest satisfies it (available: 2.1.0-beta.1, 2.0.0, 1.5.0, 1.0.0)',
    );
  });

  it('reports an invalid game constraint as InvalidVersionConstraint and leaves the module out', () => {
    const r = run(versions, { modules: [{ name: 'p', versionConstraint: '^^1' }] });
    expect(only(r, 'InvalidVersionConstraint')).toMatchObject({ severity: 'error', consumer: 'p' });
    expect(r.participants).toEqual([]);
  });

  it('skips a manifest with an invalid version, with an InvalidVersion warning', () => {
    const r = run([manifest('p', 'v1', { name: 'p-bad' }), manifest('p', '1.0.0')]);
    expect(r.participants).toEqual([{ module: 'p', version: '1.0.0', manifestName: 'p-1.0.0' }]);
    expect(only(r, 'InvalidVersion')).toMatchObject({ severity: 'warning', consumer: 'p' });
  });

  it('warns about two manifests of the same module version and picks the smallest metadata.name', () => {
    const a = manifest('p', '1.0.0', { name: 'p-b', provides: [offer('x', '1.0.0')] });
    const b = manifest('p', '1.0.0', { name: 'p-a', provides: [offer('x', '1.1.0')] });
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const r = run([...order, consumer]);
      expect(r.participants.find((p) => p.module === 'p')?.manifestName).toBe('p-a');
      expect(only(r, 'DuplicateModule')).toMatchObject({
        severity: 'warning',
        consumer: 'p',
        message: expect.stringContaining('using p-a'),
      });
      expect(edges(r)).toEqual(['c->p@1.1.0']);
    }
  });

  it('reports an empty game as EmptyGame', () => {
    const r = run([consumer], { modules: [] });
    expect(codes(r)).toEqual(['error:EmptyGame']);
    expect(r).toMatchObject({ bindings: [], participants: [] });
    expect(isResolved(r)).toBe(false);
  });
});

describe('rules 2-4: candidates and their order', () => {
  it('binds only providers at the same scope (near miss: ScopeMismatch)', () => {
    const r = run([
      manifest('c', '1.0.0', { requires: [need('x', '^1.0.0', { scope: 'region' })] }),
      manifest('p-world', '1.0.0', { provides: [offer('x', '1.0.0', 'world')] }),
      manifest('p-region', '1.0.0', { provides: [offer('x', '1.0.0', 'region')] }),
    ]);
    expect(edges(r)).toEqual(['c->p-region@1.0.0']);
    expect(r.bindings[0].scope).toBe('region');
  });

  it.each([
    ['^1.2.0', ['1.1.9', '1.2.0', '2.0.0'], '1.2.0'],
    ['>=1.0.0 <2.0.0', ['0.9.0', '1.9.9', '2.0.0'], '1.9.9'],
    ['~1.4.0', ['1.4.7', '1.5.0'], '1.4.7'],
    ['^1.0.0', ['1.2.0-rc.1', '1.1.0'], '1.1.0'], // a prerelease needs a range that names its version
    ['^1.2.0-rc.0', ['1.2.0-rc.1', '1.1.0'], '1.2.0-rc.1'],
    ['*', ['0.1.0', '3.0.0'], '3.0.0'],
  ])('%s binds the best satisfying version of %j: %s', (constraint, offered, expected) => {
    const providers = offered.map((v, i) =>
      manifest(`p${i}`, '1.0.0', { provides: [offer('x', v)] }),
    );
    const r = run([manifest('c', '1.0.0', { requires: [need('x', constraint)] }), ...providers]);
    expect(r.bindings.map((b) => b.providerVersion)).toEqual([expected]);
  });

  it('orders candidates by capability version, highest first, then by module name', () => {
    const providers = [
      manifest('bbb', '1.0.0', { provides: [offer('x', '1.5.0')] }),
      manifest('aaa', '9.0.0', { provides: [offer('x', '1.5.0')] }),
      manifest('zzz', '1.0.0', { provides: [offer('x', '1.2.0')] }),
    ];
    const one = run([manifest('c', '1.0.0', { requires: [need('x', '^1.0.0')] }), ...providers]);
    expect(edges(one)).toEqual(['c->aaa@1.5.0']);
    expect(one.bindings[0].rank).toBe(0);
    const many = run([
      manifest('c', '1.0.0', { requires: [need('x', '^1.0.0', { multiplicity: 'many' })] }),
      ...providers,
    ]);
    expect(edges(many).sort()).toEqual(['c->aaa@1.5.0', 'c->bbb@1.5.0', 'c->zzz@1.2.0']);
    expect(many.bindings.every((b) => b.multiplicity === 'many')).toBe(true);
    // Rank: highest capability version first, then module name; 0 = preferred.
    const ranked = [...many.bindings].sort((a, b) => a.rank - b.rank);
    expect(ranked.map((b) => `${b.rank}:${b.provider}`)).toEqual(['0:aaa', '1:bbb', '2:zzz']);
  });

  it('never binds a module to itself (near miss: SelfProvided)', () => {
    const self = manifest('c', '1.0.0', {
      provides: [offer('x', '2.0.0')],
      requires: [need('x', '^1.0.0 || ^2.0.0', { multiplicity: 'many' })],
    });
    const other = manifest('p', '1.0.0', { provides: [offer('x', '1.0.0')] });
    expect(edges(run([self, other]))).toEqual(['c->p@1.0.0']);
    const alone = run([self]);
    expect(alone.bindings).toEqual([]);
    expect(only(alone, 'RequirementUnresolved').candidates).toEqual([
      { module: 'c', version: '2.0.0', scope: 'world', reason: 'SelfProvided' },
    ]);
  });
});

describe('rules 5-6: unresolved requirements and invalid input', () => {
  const consumer = manifest('interaction-engine', '1.0.0', {
    requires: [need('physics.simulation', '^2.0.0')],
  });

  it('explains each near miss in a sentence and in candidates', () => {
    const r = run(
      [
        consumer,
        manifest('physics-basic', '1.0.0', { provides: [offer('physics.simulation', '1.4.0')] }),
        manifest('physics-region', '1.0.0', {
          provides: [offer('physics.simulation', '2.0.0', 'region')],
        }),
        manifest('physics-broken', '1.0.0', { provides: [offer('physics.simulation', 'two')] }),
        manifest('physics-elsewhere', '1.0.0', {
          provides: [offer('physics.simulation', '2.2.0')],
        }),
      ],
      { modules: ['interaction-engine', 'physics-basic', 'physics-region', 'physics-broken'] },
    );
    const d = only(r, 'RequirementUnresolved');
    expect(d).toMatchObject({
      severity: 'error',
      consumer: 'interaction-engine',
      capabilityId: 'physics.simulation',
    });
    expect(d.candidates).toEqual([
      { module: 'physics-basic', version: '1.4.0', scope: 'world', reason: 'VersionOutOfRange' },
      { module: 'physics-broken', version: 'two', scope: 'world', reason: 'InvalidVersion' },
      { module: 'physics-elsewhere', version: '2.2.0', scope: 'world', reason: 'NotInGame' },
      { module: 'physics-region', version: '2.0.0', scope: 'region', reason: 'ScopeMismatch' },
    ]);
    expect(d.message).toBe(
      'interaction-engine requires physics.simulation ^2.0.0 at scope world: no provider; ' +
        'physics-basic provides 1.4.0 (outside ^2.0.0); physics-broken provides invalid version "two"; ' +
        'physics-elsewhere provides 2.2.0 at scope world but is not in game g; physics-region provides 2.0.0 at scope region',
    );
    expect(r.diagnostics.find((x) => x.code === 'InvalidVersion')).toMatchObject({
      severity: 'warning',
      consumer: 'physics-broken',
    });
  });

  it('uses the example sentence of docs/resolution.md for a single near miss', () => {
    const r = run([
      consumer,
      manifest('physics-basic', '1.0.0', { provides: [offer('physics.simulation', '1.4.0')] }),
    ]);
    expect(only(r, 'RequirementUnresolved').message).toBe(
      'interaction-engine requires physics.simulation ^2.0.0 at scope world: no provider; physics-basic provides 1.4.0 (outside ^2.0.0)',
    );
  });

  it('says so when nothing provides the capability at all', () => {
    expect(only(run([consumer]), 'RequirementUnresolved').message).toBe(
      'interaction-engine requires physics.simulation ^2.0.0 at scope world: no provider in game g',
    );
  });

  it.each([
    ['required', 'error', 'RequirementUnresolved', false],
    ['optional', 'warning', 'OptionalRequirementUnresolved', true],
  ] as const)(
    'an unresolved %s requirement is a %s (%s); resolved: %s',
    (mode, severity, code, resolved) => {
      const r = run([
        manifest('c', '1.0.0', { requires: [need('x', '^1.0.0', { dependencyMode: mode })] }),
      ]);
      expect(codes(r)).toEqual([`${severity}:${code}`]);
      expect(isResolved(r)).toBe(resolved);
    },
  );

  it.each([
    ['required', 'error'],
    ['optional', 'warning'],
  ] as const)(
    'an invalid constraint of a %s requirement is an InvalidVersionConstraint %s, not an exception',
    (mode, severity) => {
      for (const bad of ['^^1', '', 'latest', '1.2.3.4']) {
        const r = run([
          manifest('c', '1.0.0', { requires: [need('x', bad, { dependencyMode: mode })] }),
          manifest('p', '1.0.0', { provides: [offer('x', '1.0.0')] }),
        ]);
        expect(codes(r)).toEqual([`${severity}:InvalidVersionConstraint`]);
        expect(r.diagnostics[0]).toMatchObject({ consumer: 'c', capabilityId: 'x' });
        expect(r.bindings).toEqual([]);
      }
    },
  );

  it('reports an unknown scope as InvalidScope', () => {
    const bad = { ...need('x', '*'), scope: 'galaxy' } as never;
    const r = run([
      manifest('c', '1.0.0', {
        requires: [bad],
        provides: [{ ...offer('y', '1.0.0'), scope: 'planet' } as never],
      }),
    ]);
    expect(codes(r)).toEqual(['error:InvalidScope', 'warning:InvalidScope']); // x (required), then y (offered)
  });

  it('applies the CRD defaults: multiplicity "1", dependencyMode required', () => {
    const bare = { capabilityId: 'x', versionConstraint: '*', scope: 'world' } as never;
    const r = run([
      manifest('c', '1.0.0', { requires: [bare] }),
      manifest('p', '1.0.0', { provides: [offer('x', '1.0.0')] }),
      manifest('q', '1.0.0', { provides: [offer('x', '1.0.0')] }),
    ]);
    expect(edges(r)).toEqual(['c->p@1.0.0']);
    expect(r.bindings[0].multiplicity).toBe('1');
    expect(codes(run([manifest('c', '1.0.0', { requires: [bare] })]))).toEqual([
      'error:RequirementUnresolved',
    ]);
  });

  it('uses one entry of a capability required twice, with an InvalidManifest diagnostic', () => {
    const r = run([
      manifest('c', '1.0.0', { requires: [need('x', '^2.0.0'), need('x', '^1.0.0')] }),
      manifest('p', '1.0.0', { provides: [offer('x', '1.0.0')] }),
    ]);
    expect(edges(r)).toEqual(['c->p@1.0.0']);
    expect(codes(r)).toEqual(['error:InvalidManifest']);
  });
});
