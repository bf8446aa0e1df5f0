import { ManualClock, flushPromises } from '../testing/manual-clock';
import type { KubeObject } from './kube-object';
import type { ListResult, ListWatchSource, WatchEvent, WatchHandle } from './list-watch';
import { Reflector, type WatchEnd } from './reflector';
import { Store, type Delta } from './store';

const obj = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});

/** A scripted API server: lists return `items`, each watch is recorded and driven by the test. */
class FakeSource implements ListWatchSource<KubeObject> {
  readonly resource = 'things';
  items: KubeObject[] = [];
  version = '10';
  listCalls = 0;
  listFailures = 0;
  watches: Array<{
    from: string;
    emit: (e: WatchEvent) => void;
    done: (err?: unknown) => void;
    aborted: boolean;
  }> = [];

  async list(): Promise<ListResult<KubeObject>> {
    this.listCalls++;
    if (this.listFailures > 0) {
      this.listFailures--;
      throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    }
    return { items: [...this.items], resourceVersion: this.version };
  }

  async watch(
    from: string,
    _timeout: number,
    onEvent: (e: WatchEvent) => void,
    onDone: (err?: unknown) => void,
  ): Promise<WatchHandle> {
    const entry = { from, emit: onEvent, done: onDone, aborted: false };
    this.watches.push(entry);
    return { abort: () => (entry.aborted = true) };
  }

  get last() {
    return this.watches[this.watches.length - 1];
  }
}

function setup() {
  const clock = new ManualClock();
  const source = new FakeSource();
  const store = new Store<KubeObject>();
  const deltas: string[] = [];
  const ends: WatchEnd[] = [];
  const reflector = new Reflector({
    source,
    store,
    clock,
    timers: clock,
    random: () => 0,
    backoff: { baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0.5 },
    onDelta: (d: Delta<KubeObject>) =>
      deltas.push(`${d.type}:${d.object.metadata.name}@${d.object.metadata.resourceVersion}`),
    onWatchEnd: (end) => ends.push(end),
  });
  return { clock, source, store, deltas, ends, reflector };
}

describe('Reflector', () => {
  it('lists, then watches from the list resourceVersion, applying events in order', async () => {
    const { source, store, deltas, reflector } = setup();
    source.items = [obj('a', '5')];
    reflector.start();
    await reflector.waitForSync();
    await flushPromises();
    expect(reflector.hasSynced).toBe(true);
    expect(source.last.from).toBe('10');
    source.last.emit({ type: 'ADDED', object: obj('b', '11') });
    source.last.emit({ type: 'MODIFIED', object: obj('a', '12') });
    source.last.emit({ type: 'DELETED', object: obj('b', '13') });
    expect(deltas).toEqual(['added:a@5', 'added:b@11', 'updated:a@12', 'deleted:b@11']);
    expect(store.list().map((o) => o.metadata.name)).toEqual(['a']);
    await reflector.stop();
  });

  it('resumes a watch the server closed from the last version seen (bookmarks included), without relisting', async () => {
    const { clock, source, ends, reflector } = setup();
    reflector.start();
    await flushPromises();
    source.last.emit({ type: 'ADDED', object: obj('a', '11') });
    source.last.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
    await clock.advance(5_000);
    source.last.done();
    await flushPromises();
    expect(ends).toEqual(['closed']);
    expect(source.listCalls).toBe(1);
    expect(source.last.from).toBe('20');
    await reflector.stop();
  });

  it('relists at once on 410 Gone (as an ERROR event or an HTTP status), and reports deletions it missed', async () => {
    const { source, deltas, ends, reflector } = setup();
    source.items = [obj('a', '5'), obj('b', '5')];
    reflector.start();
    await flushPromises();
    source.items = [obj('a', '30')];
    source.version = '31';
    source.last.emit({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, message: 'too old resource version' },
    });
    await flushPromises();
    expect(ends).toEqual(['gone']);
    expect(source.listCalls).toBe(2);
    expect(source.last.from).toBe('31');
    expect(deltas.slice(2).sort()).toEqual(['deleted:b@5', 'updated:a@30']);
    source.last.done(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await flushPromises();
    expect(source.listCalls).toBe(3);
    await reflector.stop();
  });

  it('relists after a watch error, with a growing backoff while the server is down', async () => {
    const { clock, source, ends, reflector } = setup();
    reflector.start();
    await flushPromises();
    source.listFailures = 3;
    source.last.done(new Error('socket hang up'));
    await flushPromises();
    expect(ends).toEqual(['error']);
    expect(source.listCalls).toBe(1);
    // random() = 0: no jitter, delays 100, 200, 400, 800 ms
    expect(clock.pendingDelays()[0]).toBe(100);
    await clock.advance(100);
    expect(source.listCalls).toBe(2);
    await clock.advance(200);
    expect(source.listCalls).toBe(3);
    await clock.advance(399);
    expect(source.listCalls).toBe(3);
    await clock.advance(1);
    expect(source.listCalls).toBe(4);
    await clock.advance(800);
    expect(source.listCalls).toBe(5);
    expect(source.watches).toHaveLength(2);
    await reflector.stop();
  });

  it('treats a watch that closes at once without events as a failure (no hot loop)', async () => {
    const { source, ends, reflector } = setup();
    reflector.start();
    await flushPromises();
    source.last.done();
    await flushPromises();
    expect(ends).toEqual(['error']);
    expect(source.watches).toHaveLength(1);
    await reflector.stop();
  });

  it('abandons a watch that outlives its timeout and aborts the request on stop', async () => {
    const { clock, source, ends, reflector } = setup();
    reflector.start();
    await flushPromises();
    await clock.advance((300 + 30) * 1000);
    expect(ends).toEqual(['error']);
    expect(source.watches[0].aborted).toBe(true);
    await clock.advance(100);
    expect(source.watches).toHaveLength(2);
    await reflector.stop();
    expect(source.watches[1].aborted).toBe(true);
  });
});
