import fc from 'fast-check';
import { ParseCache } from './context';
import { dropRepeats, sortStable } from './read';
import { resolve } from './resolve';
import { game, manifest, need, offer, world } from './testing/builders';
import { ModuleManifest } from './types';

// resolve() memoises what it reads of each manifest and game object (they are treated as
// immutable): a changed object is a new object, and must give the changed result.

const consumer = manifest('consumer', '1.0.0', { requires: [need('x', '^1.0.0')] });
const provider = manifest('provider', '1.0.0', { provides: [offer('x', '1.0.0')] });

/** A copy of m with other provides, as an informer cache holds a changed object. */
const withProvides = (m: ModuleManifest, provides: ModuleManifest['spec']['provides']) => ({
  ...m,
  spec: { ...m.spec, provides },
});

const run = (manifests: ModuleManifest[], modules = ['consumer', 'provider']) =>
  resolve(world('w', 1), game(modules), manifests);

describe('resolve with memoised manifests and games', () => {
  it('gives the changed result when a manifest is replaced by a changed copy', () => {
    expect(run([consumer, provider]).bindings.map((b) => b.providerVersion)).toEqual(['1.0.0']);
    const changed = run([consumer, withProvides(provider, [offer('x', '2.0.0')])]);
    expect(changed.bindings).toEqual([]);
    expect(changed.diagnostics.map((d) => d.candidates)).toEqual([
      [{ module: 'provider', version: '2.0.0', scope: 'world', reason: 'VersionOutOfRange' }],
    ]);
    expect(run([consumer, provider]).bindings.map((b) => b.providerVersion)).toEqual(['1.0.0']);
  });

  it('gives the changed result when a game is replaced by a changed copy', () => {
    const g = game(['consumer', 'provider']);
    expect(resolve(world('w', 1), g, [consumer, provider]).bindings).toHaveLength(1);
    const smaller = { ...g, spec: { ...g.spec, modules: [{ name: 'consumer' }] } };
    const result = resolve(world('w', 1), smaller, [consumer, provider]);
    expect(result.participants.map((p) => p.module)).toEqual(['consumer']);
    expect(result.diagnostics[0].candidates).toEqual([
      { module: 'provider', version: '1.0.0', scope: 'world', reason: 'NotInGame' },
    ]);
  });

  it('reads the same manifest object as a participant in one game and an outsider in another', () => {
    const asParticipant = run([consumer, provider]);
    const asOutsider = run([consumer, provider], ['consumer']);
    expect(asParticipant.bindings).toHaveLength(1);
    expect(asOutsider.diagnostics[0].candidates.map((c) => c.reason)).toEqual(['NotInGame']);
  });

  it('answers from warm memos exactly as from fresh objects', () => {
    const unusable = { capabilityId: 'x', version: 'bad', scope: 'galaxy' } as never;
    const manifests = [consumer, provider, withProvides(provider, [unusable])];
    const warm = run(manifests);
    expect(JSON.stringify(run(structuredClone(manifests)))).toBe(JSON.stringify(warm));
  });

  it('never hands out the same candidate or diagnostic object twice', () => {
    const manifests = [consumer, withProvides(provider, [offer('x', '2.0.0')])];
    const [first, second] = [run(manifests, ['consumer']), run(manifests, ['consumer'])];
    expect(second).toEqual(first);
    expect(second.diagnostics[0]).not.toBe(first.diagnostics[0]);
    expect(second.diagnostics[0].candidates[0]).not.toBe(first.diagnostics[0].candidates[0]);
  });
});

describe("resolve with a game's plan shared between its worlds", () => {
  const manyShards = manifest('consumer', '1.0.0', {
    requires: [need('x', '^1.0.0', { scope: 'world-shard' })],
  });
  const shardProvider = manifest('provider', '1.0.0', {
    provides: [offer('x', '1.0.0', 'world-shard')],
  });

  it('names and multiplies bindings per world', () => {
    const g = game(['consumer', 'provider']);
    const manifests = [manyShards, shardProvider];
    const names = (w: string, shards: number) =>
      resolve(world(w, shards), g, manifests).bindings.map((b) => b.name);
    expect(names('a', 1)).toEqual(['a.consumer.x.provider.shard-0']);
    expect(names('b', 2)).toEqual([
      'b.consumer.x.provider.shard-0',
      'b.consumer.x.provider.shard-1',
    ]);
    expect(resolve(world('c', 0), g, manifests).bindings).toEqual([]); // unusable shards
    expect(names('d', 1)).toEqual(['d.consumer.x.provider.shard-0']);
  });

  it('sees a manifest added to or replaced in the same array', () => {
    const g = game(['consumer', 'provider']);
    const manifests: ModuleManifest[] = [consumer];
    expect(resolve(world('w', 1), g, manifests).bindings).toEqual([]);
    manifests.push(provider);
    expect(resolve(world('w', 1), g, manifests).bindings).toHaveLength(1);
    manifests[1] = withProvides(provider, [offer('x', '2.0.0')]);
    expect(resolve(world('w', 1), g, manifests).bindings).toEqual([]);
  });

  it('hands each world objects of its own', () => {
    const g = game(['consumer']);
    const manifests = [consumer, provider];
    const [first, second] = [
      resolve(world('a', 1), g, manifests),
      resolve(world('b', 1), g, manifests),
    ];
    expect(second.diagnostics).toEqual(first.diagnostics);
    expect(second.diagnostics[0]).not.toBe(first.diagnostics[0]);
    expect(second.diagnostics[0].candidates[0]).not.toBe(first.diagnostics[0].candidates[0]);
    expect(second.participants[0]).not.toBe(first.participants[0]);
    first.diagnostics[0].candidates[0].version = 'changed';
    first.participants[0].version = 'changed';
    expect(resolve(world('c', 1), g, manifests)).toEqual(second);
  });
});

describe('sortStable', () => {
  it('orders like Array.prototype.sort (stable), short lists and long ones', () => {
    const byKey = (a: [number, number], b: [number, number]) => a[0] - b[0];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 80 }), (keys) => {
        const items = keys.map((k, i): [number, number] => [k, i]);
        expect(sortStable([...items], byKey)).toEqual([...items].sort(byKey));
      }),
    );
  });
});

describe('dropRepeats', () => {
  it('keeps the first of each run of equal items', () => {
    const numeric = (a: number, b: number) => a - b;
    expect(dropRepeats([1, 1, 2, 3, 3, 3], numeric)).toEqual([1, 2, 3]);
    expect(dropRepeats([], numeric)).toEqual([]);
  });
});

describe('ParseCache.satisfies', () => {
  it('answers as Range.test, asked once or many times', () => {
    const parse = new ParseCache();
    for (const r of ['^1.0.0', '>=1.2.0 <2.0.0', '*', '^2.0.0-beta.0']) {
      for (const v of ['1.0.0', '1.2.0', '2.0.0-beta.1', '2.0.0', '0.9.0']) {
        const [range, version] = [parse.range(r)!, parse.version(v)!];
        expect(parse.satisfies(range, version)).toBe(range.test(version));
        expect(parse.satisfies(range, version)).toBe(range.test(version));
      }
    }
  });
});
