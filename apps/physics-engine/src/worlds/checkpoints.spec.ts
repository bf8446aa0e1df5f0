import { createStorage, type Storage } from '@anvil/storage';
import { bootstrap, type RunningPhysicsEngine } from '../bootstrap';
import { loadPhysicsConfig } from '../config/physics-config';
import { ball } from '../simulation/test-support';

jest.setTimeout(60_000);

const config = (env: Record<string, string> = {}) =>
  loadPhysicsConfig({
    ENGINE_TOKEN: 'checkpoints-test-engine-token',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    TICK_MODE: 'manual',
    TICK_HZ: '60',
    CHECKPOINT_EVERY_TICKS: '10',
    CHECKPOINT_KEEP: '2',
    ...env,
  });

/** Steps a manually ticked world one tick at a time, letting each checkpoint save settle. */
async function stepTo(engine: RunningPhysicsEngine, worldId: string, target: number) {
  const runtime = engine.worlds.get(worldId);
  while (runtime.sim.tick < target) {
    engine.worlds.tick(worldId, runtime.sim.tick + 1);
    await runtime.flushCheckpoints();
  }
}

describe('checkpoints', () => {
  let storage: Storage;

  beforeEach(async () => {
    storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
  });
  afterEach(async () => {
    await storage.close();
  });

  it('writes a checkpoint every N ticks and prunes to CHECKPOINT_KEEP', async () => {
    const engine = await bootstrap({ config: config(), storage, logger: false });
    try {
      await engine.worlds.init('w1', undefined);
      engine.worlds.apply('w1', { type: 'spawnBody', body: ball('b1', 5_000, 5_000) });
      await stepTo(engine, 'w1', 25);
      expect((await storage.checkpoints.list('w1', 0)).map((c) => c.tick)).toEqual([20, 10]);
      await stepTo(engine, 'w1', 50);
      const list = await storage.checkpoints.list('w1', 0);
      expect(list.map((c) => c.tick)).toEqual([50, 40]);
      const snap = engine.worlds.snapshot('w1');
      expect(list[0]?.stateHash).toBe(snap.stateHash);
      expect(engine.worlds.get('w1').stats().checkpoints).toMatchObject({ saved: 5, failed: 0 });
      expect(await storage.worlds.get('w1')).toMatchObject({ id: 'w1', shards: 1 });
    } finally {
      await engine.close();
    }
  });

  it('hands its worlds over when it stops: a second engine on the same storage goes on from the tick it stopped at', async () => {
    const first = await bootstrap({ config: config(), storage, logger: false });
    let expected: { tick: number; stateHash: string };
    try {
      await first.worlds.init('w1', undefined);
      first.worlds.apply('w1', { type: 'spawnBody', body: ball('b1', 5_000, 5_000) });
      await stepTo(first, 'w1', 35); // past the last periodic checkpoint (30)
      const snap = first.worlds.snapshot('w1');
      expected = { tick: snap.tick, stateHash: snap.stateHash };
    } finally {
      await first.close();
    }
    // Stopping saved the checkpoint of the tick it stopped at, and the lease says so.
    expect((await storage.checkpoints.list('w1', 0)).map((c) => c.tick)).toEqual([35, 30]);
    expect((await storage.leases.get('w1', 'physics'))?.handover).toEqual({
      epoch: 1,
      state: { tick: 35, logSeq: 2 }, // its epoch marker, then the spawn
    });
    const second = await bootstrap({ config: config(), storage, logger: false });
    try {
      const { runtime, created } = await second.worlds.init('w1', undefined);
      expect(created).toBe(false);
      expect(runtime.sim.tick).toBe(expected.tick);
      expect(runtime.sim.stateHash()).toBe(expected.stateHash);
      // It continues from there and checkpoints the next N-th tick.
      await stepTo(second, 'w1', 40);
      expect((await storage.checkpoints.latest('w1'))?.tick).toBe(40);
      // A world without a checkpoint starts fresh.
      expect((await second.worlds.init('w2', undefined)).runtime.sim.tick).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('keeps ticking when storage fails, counting the failures', async () => {
    const engine = await bootstrap({ config: config(), storage, logger: false });
    try {
      await engine.worlds.init('w1', undefined);
      await storage.close(); // every later save fails with StorageClosedError
      const runtime = engine.worlds.get('w1');
      engine.worlds.tick('w1', 100); // one save in flight, the other N-th ticks skipped
      expect(runtime.stats().checkpoints).toMatchObject({ inFlight: true, skipped: 9 });
      await runtime.flushCheckpoints();
      await stepTo(engine, 'w1', 120);
      expect(runtime.sim.tick).toBe(120);
      expect(runtime.stats().checkpoints).toMatchObject({ saved: 0, failed: 3, inFlight: false });
    } finally {
      await engine.close();
    }
  });

  it('writes nothing without storage or with CHECKPOINT_EVERY_TICKS=0', async () => {
    for (const options of [
      { config: config() },
      { config: config({ CHECKPOINT_EVERY_TICKS: '0' }), storage },
    ]) {
      const engine = await bootstrap({ ...options, logger: false });
      try {
        await engine.worlds.init('w1', undefined);
        await stepTo(engine, 'w1', 30);
        expect(engine.worlds.get('w1').stats().checkpoints?.saved ?? 0).toBe(0);
      } finally {
        await engine.close();
      }
    }
    expect(await storage.checkpoints.latest('w1')).toBeNull();
  });

  it('opens, migrates and closes its own storage from DATABASE_URL', async () => {
    const engine = await bootstrap({
      config: config({ DATABASE_URL: 'pglite://memory' }),
      logger: false,
    });
    await engine.worlds.init('w1', undefined);
    await stepTo(engine, 'w1', 10);
    expect(engine.worlds.get('w1').stats().checkpoints).toMatchObject({ saved: 1, lastTick: 10 });
    await engine.close();
  });
});
