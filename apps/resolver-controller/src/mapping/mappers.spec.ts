import {
  ClusterCache,
  type CachedBinding,
  type CachedGame,
  type CachedManifest,
  type CachedWorld,
} from './cluster-cache';
import type { Delta } from '../informers/store';
import { clone, exampleSet } from '../testing/fixtures';
import {
  worldKeysForBinding,
  worldKeysForGame,
  worldKeysForManifest,
  worldKeysForWorld,
} from './mappers';

function world(
  namespace: string,
  name: string,
  gameRef: string,
  diagnostics: string[] = [],
): CachedWorld {
  const w = clone(exampleSet(namespace).world);
  w.metadata = { ...w.metadata, name, namespace };
  w.spec = { ...w.spec, gameRef };
  if (diagnostics.length)
    w.status = {
      diagnostics: diagnostics.map((capabilityId) => ({
        severity: 'error',
        code: 'RequirementUnresolved',
        consumer: 'x',
        capabilityId,
        message: '',
        candidates: [],
      })),
    };
  return w;
}

function game(namespace: string, name: string, modules: string[]): CachedGame {
  return {
    apiVersion: 'anvil.dev/v1alpha1',
    kind: 'GameDefinition',
    metadata: { name, namespace, resourceVersion: '1' },
    spec: { modules: modules.map((m) => ({ name: m })) },
  };
}

function manifest(namespace: string, module: string, provides: string[] = []): CachedManifest {
  const m = clone(exampleSet(namespace).manifests[0]);
  m.metadata = { ...m.metadata, name: `${module}-1.0.0`, namespace };
  m.spec = {
    ...m.spec,
    module,
    provides: provides.map((capabilityId) => ({ capabilityId, version: '1.0.0', scope: 'world' })),
  };
  return m;
}

function cache(): ClusterCache {
  const c = new ClusterCache();
  c.games.replace([
    game('a', 'arena', ['physics', 'rules']),
    game('a', 'racing', ['physics']),
    game('a', 'chess', ['rules']),
    game('b', 'arena', ['physics']),
  ]);
  c.worlds.replace([
    world('a', 'w1', 'arena'),
    world('a', 'w2', 'racing'),
    world('a', 'w3', 'chess', ['analytics.sink']),
    world('a', 'w4', 'missing'),
    world('b', 'w1', 'arena'),
  ]);
  return c;
}

const added = <T>(object: T): Delta<T & { metadata: { name: string } }> => ({
  type: 'added',
  object: object as T & { metadata: { name: string } },
});

describe('mappers', () => {
  it('maps a world to itself', () => {
    expect(worldKeysForWorld(added(world('a', 'w1', 'arena')))).toEqual(['a/w1']);
  });

  it('maps a game to the worlds that use it, in its namespace only', () => {
    const c = cache();
    expect(worldKeysForGame(added(game('a', 'arena', [])), c)).toEqual(['a/w1']);
    expect(worldKeysForGame(added(game('b', 'arena', [])), c)).toEqual(['b/w1']);
    expect(worldKeysForGame(added(game('a', 'unused', [])), c)).toEqual([]);
  });

  it.each<[string, Delta<CachedManifest>, string[]]>([
    ['a module in two games', added(manifest('a', 'physics')), ['a/w1', 'a/w2']],
    ['a module in one game', added(manifest('a', 'rules')), ['a/w1', 'a/w3']],
    ['the same module in another namespace', added(manifest('b', 'physics')), ['b/w1']],
    ['a module in no game', added(manifest('a', 'lonely')), []],
    [
      'a module in no game providing what a world misses',
      added(manifest('a', 'lonely', ['analytics.sink'])),
      ['a/w3'],
    ],
    [
      'a manifest whose module was renamed',
      { type: 'updated', object: manifest('a', 'rules'), old: manifest('a', 'physics') },
      ['a/w1', 'a/w2', 'a/w3'],
    ],
    ['a deleted manifest', { type: 'deleted', object: manifest('a', 'physics') }, ['a/w1', 'a/w2']],
  ])('maps %s to exactly the worlds it affects', (_case, delta, want) => {
    expect(worldKeysForManifest(delta, cache())).toEqual(want);
  });

  it('maps a binding to the world of its label (both, when the label was edited)', () => {
    const binding = (w?: string): CachedBinding =>
      ({
        metadata: { name: 'b', namespace: 'a', labels: w ? { 'anvil.dev/world': w } : {} },
      }) as CachedBinding;
    expect(worldKeysForBinding(added(binding('w1')))).toEqual(['a/w1']);
    expect(
      worldKeysForBinding({ type: 'updated', object: binding('w2'), old: binding('w1') }),
    ).toEqual(['a/w1', 'a/w2']);
    expect(worldKeysForBinding({ type: 'deleted', object: binding('w1') })).toEqual(['a/w1']);
    expect(worldKeysForBinding(added(binding()))).toEqual([]);
  });

  it('follows index changes when a world switches games', () => {
    const c = cache();
    c.worlds.upsert({
      ...world('a', 'w1', 'chess'),
      metadata: { name: 'w1', namespace: 'a', resourceVersion: '2' },
    });
    expect(worldKeysForGame(added(game('a', 'arena', [])), c)).toEqual([]);
    expect(worldKeysForGame(added(game('a', 'chess', [])), c)).toEqual(['a/w1', 'a/w3']);
  });
});
