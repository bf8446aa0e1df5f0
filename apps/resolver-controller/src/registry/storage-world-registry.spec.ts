import { createStorage, type Storage } from '@anvil/storage';
import { silentLog } from '../reconcile/cluster-writer';
import { reconcilerFixture } from '../testing/reconciler-fixture';
import { StorageWorldRegistry } from './storage-world-registry';
import type { WorldRegistry } from './world-registry';

// The reconciler publishing worlds into real storage (PGlite, the same schema as PostgreSQL).
const KEY = 'ns/arena-eu-1';
const ID = 'ns:arena-eu-1';

let registry: StorageWorldRegistry;
let storage: Storage;

beforeEach(async () => {
  storage = await createStorage({ url: 'pglite://memory' });
  await storage.migrate();
  registry = new StorageWorldRegistry(storage);
});
afterEach(() => registry.close());

function setup(failFirstRecords = 0) {
  let failures = failFirstRecords;
  const flaky: WorldRegistry = {
    record: (w) =>
      failures-- > 0 ? Promise.reject(new Error('database is down')) : registry.record(w),
    remove: (id) => registry.remove(id),
    list: (namespace) => registry.list(namespace),
    close: async () => undefined,
  };
  const { cache, writer, reconciler } = reconcilerFixture(flaky);
  return { cache, writer, run: () => reconciler.reconcile(KEY, silentLog) };
}

describe('publishing worlds to the registry', () => {
  it("writes a reconciled world's phase, the addresses of its bindings and the gateway's entry", async () => {
    const { cache, run } = setup();
    await run();
    const stored = await storage.worlds.get(ID);
    expect(stored).toMatchObject({
      namespace: 'ns',
      name: 'arena-eu-1',
      game: 'arena',
      phase: 'Ready',
    });
    // One per CapabilityBinding, and the gateway's: which module players' commands go to.
    expect(stored?.bindings).toHaveLength(cache.bindingsOf(KEY).length + 1);
    expect(stored?.bindings).toContainEqual({
      capabilityId: 'physics.simulation',
      consumer: 'interaction-engine',
      provider: 'physics-rapier',
      address: 'physics-rapier.ns.svc:50051',
      shard: null,
    });
    expect(stored?.bindings).toContainEqual({
      capabilityId: 'game.interaction',
      consumer: 'gateway',
      provider: 'interaction-engine',
      address: 'interaction-engine.ns.svc:50052',
      shard: null,
    });
  });

  it('writes nothing when nothing changed', async () => {
    const { run } = setup();
    await run();
    const first = await storage.worlds.get(ID);
    await run();
    expect((await storage.worlds.get(ID))?.updatedAt).toEqual(first?.updatedAt);
  });

  it('removes a deleted world', async () => {
    const { cache, run } = setup();
    await run();
    const world = cache.worlds.getByKey(KEY);
    if (world) cache.worlds.remove(world);
    await run();
    expect(await storage.worlds.get(ID)).toBeNull();
  });

  it('fails the reconcile (to be retried) when the registry cannot be written, then catches up', async () => {
    const { run } = setup(1);
    await expect(run()).rejects.toThrow('database is down');
    expect(await storage.worlds.get(ID)).toBeNull();
    await run();
    expect(await storage.worlds.get(ID)).toMatchObject({ phase: 'Ready' });
  });
});
