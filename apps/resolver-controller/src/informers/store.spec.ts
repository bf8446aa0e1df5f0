import type { KubeObject } from './kube-object';
import { Store } from './store';

const obj = (
  name: string,
  rv: string,
  labels: Record<string, string> = {},
  namespace = 'ns',
): KubeObject => ({
  metadata: { name, namespace, resourceVersion: rv, labels },
});
const byTeam = (o: KubeObject) =>
  o.metadata.labels?.team ? [`${o.metadata.namespace}/${o.metadata.labels.team}`] : [];

describe('Store', () => {
  it('reports added, updated and unchanged objects', () => {
    const store = new Store<KubeObject>();
    expect(store.upsert(obj('a', '1'))?.type).toBe('added');
    expect(store.upsert(obj('a', '1'))).toBeUndefined();
    const delta = store.upsert(obj('a', '2'));
    expect(delta).toMatchObject({
      type: 'updated',
      object: { metadata: { resourceVersion: '2' } },
      old: { metadata: { resourceVersion: '1' } },
    });
    expect(store.get('ns', 'a')?.metadata.resourceVersion).toBe('2');
  });

  it('reports the last known state of a removed object, once', () => {
    const store = new Store<KubeObject>();
    store.upsert(obj('a', '1'));
    expect(store.remove(obj('a', '9'))).toEqual({ type: 'deleted', object: obj('a', '1') });
    expect(store.remove(obj('a', '9'))).toBeUndefined();
  });

  it('replace (a relist) yields the difference', () => {
    const store = new Store<KubeObject>();
    store.replace([obj('keep', '1'), obj('change', '1'), obj('gone', '1')]);
    const deltas = store.replace([obj('keep', '1'), obj('change', '2'), obj('new', '1')]);
    expect(deltas.map((d) => `${d.type}:${d.object.metadata.name}`).sort()).toEqual([
      'added:new',
      'deleted:gone',
      'updated:change',
    ]);
    expect(
      store
        .list()
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['change', 'keep', 'new']);
  });

  it('keeps secondary indexes in step with every change', () => {
    const store = new Store<KubeObject>({ team: byTeam });
    store.upsert(obj('a', '1', { team: 'red' }));
    store.upsert(obj('b', '1', { team: 'red' }));
    store.upsert(obj('c', '1', { team: 'red' }, 'other'));
    expect(
      store
        .byIndex('team', 'ns/red')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['a', 'b']);
    store.upsert(obj('a', '2', { team: 'blue' }));
    expect(store.byIndex('team', 'ns/red').map((o) => o.metadata.name)).toEqual(['b']);
    expect(store.byIndex('team', 'ns/blue').map((o) => o.metadata.name)).toEqual(['a']);
    store.replace([]);
    expect(store.byIndex('team', 'ns/red')).toEqual([]);
    expect(() => store.byIndex('nope', 'x')).toThrow(RangeError);
  });

  it('lists by namespace', () => {
    const store = new Store<KubeObject>();
    store.replace([obj('a', '1'), obj('b', '1', {}, 'other')]);
    expect(store.list('other').map((o) => o.metadata.name)).toEqual(['b']);
    expect(store.list()).toHaveLength(2);
    expect(store.getByKey('other/b')?.metadata.name).toBe('b');
  });
});
