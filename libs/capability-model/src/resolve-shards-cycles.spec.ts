import { isResolved, resolve } from './resolve';
import { game, manifest, need, offer, world } from './testing/builders';
import { codes, edges, run } from './testing/resolve-helpers';

describe('rules 6-7: shards and names', () => {
  const manifests = [
    manifest('engine', '1.0.0', {
      requires: [
        need('state.checkpoint', '^1.0.0', { scope: 'world-shard' }),
        need('physics.sim', '^1.0.0'),
      ],
    }),
    manifest('store', '1.0.0', { provides: [offer('state.checkpoint', '1.1.0', 'world-shard')] }),
    manifest('physics', '1.0.0', { provides: [offer('physics.sim', '1.0.0')] }),
  ];

  it('binds a world-shard requirement once per shard, other scopes once with shard null', () => {
    const r = run(manifests, { shards: 3 });
    expect(r.bindings.map((b) => [b.name, b.shard])).toEqual([
      ['w.engine.physics.sim.physics', null],
      ['w.engine.state.checkpoint.store.shard-0', 0],
      ['w.engine.state.checkpoint.store.shard-1', 1],
      ['w.engine.state.checkpoint.store.shard-2', 2],
    ]);
  });

  it('gives every binding a stable name: the same on every resolution', () => {
    expect(run(manifests, { shards: 2 })).toEqual(run([...manifests].reverse(), { shards: 2 }));
    expect(run(manifests).bindings[0]).toEqual({
      name: 'w.engine.physics.sim.physics',
      world: 'w',
      consumer: 'engine',
      capabilityId: 'physics.sim',
      provider: 'physics',
      providerVersion: '1.0.0',
      scope: 'world',
      multiplicity: '1',
      rank: 0,
      shard: null,
    });
  });

  it.each([0, 1025, 1.5, '2'])(
    'reports unusable shards (%p) as InvalidWorld and binds no world-shard requirement',
    (shards) => {
      const r = resolve(
        { ...world('w'), spec: { ...world('w').spec, shards: shards as number } },
        game(['engine', 'store', 'physics']),
        manifests,
      );
      expect(codes(r)).toEqual(['error:InvalidWorld']);
      expect(edges(r)).toEqual(['engine->physics@1.0.0']);
    },
  );
});

describe('rule 8: cycles through required bindings', () => {
  it('allows A requires B requires A, reported once as a RequiredCycle warning from the least module', () => {
    const r = run([
      manifest('b', '1.0.0', { provides: [offer('y', '1.0.0')], requires: [need('x', '*')] }),
      manifest('a', '1.0.0', { provides: [offer('x', '1.0.0')], requires: [need('y', '*')] }),
    ]);
    expect(edges(r)).toEqual(['a->b@1.0.0', 'b->a@1.0.0']);
    expect(r.diagnostics).toEqual([
      {
        severity: 'warning',
        code: 'RequiredCycle',
        consumer: 'a',
        capabilityId: '',
        message: 'required cycle: a -[y]-> b -[x]-> a',
        candidates: [],
      },
    ]);
    expect(isResolved(r)).toBe(true);
  });

  it('reports each elementary cycle once and ignores optional edges', () => {
    const r = run([
      manifest('a', '1.0.0', {
        provides: [offer('x', '1.0.0')],
        requires: [need('y', '*'), need('z', '*')],
      }),
      manifest('b', '1.0.0', { provides: [offer('y', '1.0.0')], requires: [need('x', '*')] }),
      manifest('c', '1.0.0', { provides: [offer('z', '1.0.0')], requires: [need('y', '*')] }),
      manifest('d', '1.0.0', {
        provides: [offer('w', '1.0.0')],
        requires: [need('x', '*', { dependencyMode: 'optional' })],
      }),
      manifest('e', '1.0.0', { requires: [need('w', '*')] }),
    ]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'required cycle: a -[y]-> b -[x]-> a',
      'required cycle: a -[z]-> c -[y]-> b -[x]-> a',
    ]);
  });
});

describe('output order', () => {
  it('sorts diagnostics by consumer, capability, code, message', () => {
    const r = run(
      [
        manifest('b', '1.0.0', { requires: [need('y', '*'), need('x', '*')] }),
        manifest('a', '1.0.0', { requires: [need('z', '*', { dependencyMode: 'optional' })] }),
      ],
      { modules: ['a', 'b', 'ghost'] },
    );
    expect(r.diagnostics.map((d) => [d.consumer, d.capabilityId, d.code])).toEqual([
      ['a', 'z', 'OptionalRequirementUnresolved'],
      ['b', 'x', 'RequirementUnresolved'],
      ['b', 'y', 'RequirementUnresolved'],
      ['ghost', '', 'ModuleNotFound'],
    ]);
  });
});
