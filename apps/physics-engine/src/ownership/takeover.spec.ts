import { InMemoryBus, type EventBus } from '@anvil/bus';
import { EngineErrorCode } from '@anvil/engine-contract';
import { createStorage, type Storage } from '@anvil/storage';
import { bootstrap, type RunningPhysicsEngine } from '../bootstrap';
import { loadPhysicsConfig } from '../config/physics-config';
import { ball } from '../simulation/test-support';

// Two physics engines in this process on one PGlite and one in-memory bus, with real leases,
// timers and takeover rounds: what a replica does with the worlds of one that stopped.
jest.setTimeout(60_000);

const config = (replica: string, leaseTtlMs = 200, env: Record<string, string> = {}) =>
  loadPhysicsConfig({
    ENGINE_TOKEN: 'takeover-test-engine-token',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    TICK_MODE: 'manual',
    REPLICA_ID: replica,
    WORLD_LEASE_TTL_MS: String(leaseTtlMs),
    WORLD_LEASE_RENEW_MS: '50',
    ...env,
  });

const spawnAt = (id: string) => ({ type: 'spawnBody' as const, body: ball(id, 5_000, 5_000) });

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('takeover', () => {
  let storage: Storage;
  const inner = new InMemoryBus();
  const readable = { up: true };
  /** While set, appends to the command log wait for it (an epoch marker on its way). */
  let logGate: Promise<void> | undefined;
  let gated = 0;
  // The in-memory bus, with reading a world's log back switched off while `readable.up` is false.
  const bus: EventBus = {
    publish: async (topic, key, events) => {
      if (topic.endsWith('.commands') && logGate) {
        gated++;
        await logGate;
      }
      return inner.publish(topic, key, events);
    },
    subscribe: (options, handler) => inner.subscribe(options, handler),
    readKey: async (topic, key) => {
      if (!readable.up) throw new Error('broker down');
      return inner.readKey(topic, key);
    },
    close: () => inner.close(),
  };
  const engines: RunningPhysicsEngine[] = [];
  const start = async (
    replica: string,
    leaseTtlMs?: number,
    env?: Record<string, string>,
    on: Storage = storage,
  ) => {
    const engine = await bootstrap({
      config: config(replica, leaseTtlMs, env),
      bus,
      storage: on,
      logger: false,
    });
    engines.push(engine);
    return engine;
  };

  /** The storage, with the checkpoint reads of `worldId` held until `open()`. */
  const heldCheckpointReads = (worldId: string) => {
    let open = () => undefined as void;
    let held: Promise<void> | undefined = new Promise<void>((resolve) => (open = resolve));
    let reads = 0;
    const checkpoints = new Proxy(storage.checkpoints, {
      get: (target, name) =>
        name === 'latest'
          ? async (...args: Parameters<Storage['checkpoints']['latest']>) => {
              if (args[0] === worldId) {
                reads++;
                await held;
              }
              return target.latest(...args);
            }
          : Reflect.get(target, name, target),
    });
    return {
      storage: new Proxy(storage, {
        get: (target, name) => (name === 'checkpoints' ? checkpoints : Reflect.get(target, name)),
      }),
      reads: () => reads,
      open: () => {
        held = undefined;
        open();
      },
    };
  };

  beforeAll(async () => {
    storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
  }, 180_000);
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await storage.close();
    await inner.close();
  });

  it('brings back a stopped replica’s world by itself, retries while the log cannot be read, and leaves a closed world down', async () => {
    const a = await start('replica-a');
    await a.worlds.init('w', undefined);
    await a.worlds.tick('w', 4);
    // Applied at tick 5, the last logged tick: the world comes back there.
    await a.worlds.apply('w', { type: 'spawnBody', body: ball('b1', 5_000, 5_000) });
    await a.worlds.tick('w', 5);
    const before = a.worlds.snapshot('w');

    readable.up = false;
    const b = await start('replica-b');
    // A graceful stop hands its worlds over: b resumes this one but cannot read its log for the
    // keys of its commands, so it leaves it again, to be restored from checkpoint and log.
    await a.close();
    await until(
      'a takeover attempt',
      async () => (await storage.leases.get('w', 'physics'))!.epoch > 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(() => b.worlds.get('w')).toThrow(/unknown world/);
    // The failed attempt left the world an orphan, not closed.
    expect(await storage.leases.get('w', 'physics')).toMatchObject({ released: false });

    readable.up = true;
    await until('the world on replica b', () => b.worlds.size === 1);
    const after = b.worlds.snapshot('w');
    expect({ tick: after.tick, hash: after.stateHash }).toEqual({
      tick: before.tick,
      hash: before.stateHash,
    });
    expect(await storage.leases.get('w', 'physics')).toMatchObject({ holder: 'replica-b' });

    // Closed on purpose: no replica takes it over.
    await b.worlds.close('w');
    const c = await start('replica-c');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(c.worlds.size).toBe(0);
    expect(await storage.leases.get('w', 'physics')).toMatchObject({ released: true });
  });

  it('hands a stopping replica’s world over: the next one resumes it where it stopped and answers a repeated key once', async () => {
    // Only replicas with leases of the shipped length: PGlite runs in this thread, and a short
    // lease could lapse while it saves (then the world is restored from its log instead).
    for (const engine of engines.splice(0)) await engine.close();
    const a = await start('replica-h', 1_500);
    await a.worlds.init('h', undefined);
    const first = await a.worlds.apply('h', spawnAt('h1'), 'gw:1');
    await a.worlds.tick('h', 7);
    const stopped = a.worlds.snapshot('h');
    await start('replica-i', 1_500);
    await a.close();
    // Whichever live replica the takeover plan names takes it.
    const runs = (engine: RunningPhysicsEngine) => {
      try {
        return Boolean(engine.worlds.get('h'));
      } catch {
        return false;
      }
    };
    let b: RunningPhysicsEngine | undefined;
    await until('the world on another replica', () => {
      b = engines.find((engine) => engine !== a && runs(engine));
      return b !== undefined;
    });
    const resumed = b!.worlds.snapshot('h');
    expect([resumed.tick, resumed.stateHash]).toEqual([stopped.tick, stopped.stateHash]);
    expect(await storage.leases.get('h', 'physics')).toMatchObject({
      epoch: 2,
      handover: { epoch: 1, state: { tick: 7, logSeq: 2 } },
    });
    // The key was learnt from the log after the world resumed: the repeat applies nothing.
    await expect(b!.worlds.apply('h', spawnAt('h1'), 'gw:1')).resolves.toEqual(first);
    expect(b!.worlds.get('h').sim.pendingCount).toBe(0);
    await b!.worlds.close('h');
  });

  it('rebalances: a replica with four worlds hands two to a new one, one at a time, and they stay', async () => {
    for (const engine of engines.splice(0)) await engine.close();
    const rebalance = { WORLD_REBALANCE: 'true' };
    const a = await start('replica-r', 1_500, rebalance);
    const ids = ['r1', 'r2', 'r3', 'r4'];
    for (const id of ids) await a.worlds.init(id, undefined, 'test', true);
    const b = await start('replica-s', 1_500, rebalance);
    await until('two worlds on each replica', () => a.worlds.size === 2 && b.worlds.size === 2);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect([a.worlds.size, b.worlds.size]).toEqual([2, 2]);
    const holders = await Promise.all(ids.map((id) => storage.leases.get(id, 'physics')));
    expect(holders.filter((l) => l?.holder === 'replica-s')).toHaveLength(2);
    for (const lease of holders)
      await (lease?.holder === 'replica-s' ? b : a).worlds.close(lease!.worldId);
  });

  it('answers UNAVAILABLE, and stays up, when it loses a world while that world was starting', async () => {
    const d = await start('replica-d');
    let open = () => undefined as void;
    logGate = new Promise<void>((resolve) => (open = resolve));
    const starting = d.worlds.init('starting', undefined);
    await until('its epoch marker on its way to the log', () => gated === 1);
    const lost = d.worlds.lose('starting', 'its lease ended (test)');
    open();
    logGate = undefined;
    await lost;
    // Its marker was refused (the log closed with the world) or came too late: never INTERNAL.
    await expect(starting).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
    expect(() => d.worlds.get('starting')).toThrow(/unknown world/);
    // Nothing was freed twice: the replica still runs worlds.
    await expect(d.worlds.init('next', undefined)).resolves.toMatchObject({ created: true });
  });

  it('places a new world on a less loaded replica: the one its Init reached names it', async () => {
    const a = await start('replica-p');
    for (const id of ['p1', 'p2', 'p3']) await a.worlds.init(id, undefined, 'test', true);
    // Every replica reports its load at every round (50 ms here).
    await until('a report of three worlds on replica-p', async () =>
      (await storage.replicas.live('physics')).some(
        (r) => r.replicaId === 'replica-p' && r.worlds >= 3,
      ),
    );
    const refused = await a.worlds.init('p4', undefined).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: EngineErrorCode.FailedPrecondition,
      message: expect.stringContaining('is placed on replica'),
    });
    const named = engines.find(
      (e) => e.address === (refused as { ownerAddress: string }).ownerAddress,
    );
    expect(named).toBeDefined();
    expect(named).not.toBe(a);
    await named!.worlds.init('p4', undefined);
    expect(await storage.leases.get('p4', 'physics')).toMatchObject({
      holder: expect.not.stringMatching('replica-p'),
    });
  });
  it('does not run a handed-over world whose lease it lost while it read the checkpoint (no epoch marker would catch it)', async () => {
    for (const engine of engines.splice(0)) await engine.close();
    const a = await start('replica-ha', 1_500);
    await a.worlds.init('lh', undefined);
    await a.worlds.apply('lh', spawnAt('lh1'));
    await a.worlds.tick('lh', 3);
    await a.close(); // hands it over, and no replica is there to take it yet
    expect(await storage.leases.get('lh', 'physics')).toMatchObject({ epoch: 1, handover: {} });
    // The next replica's checkpoint reads wait until they are let through.
    const gate = heldCheckpointReads('lh');
    const e = await start('replica-he', 1_500, undefined, gate.storage);
    try {
      await until('its takeover reading the checkpoint', () => gate.reads() === 1);
      // Another replica takes the lease meanwhile (after a release here; as after a lapse), and
      // this replica's next renewal tells it while the world is still loading.
      expect(await storage.leases.release('lh', 'physics', 'replica-he', 2, false)).toBe(true);
      const other = { worldId: 'lh', role: 'physics', holder: 'replica-hx', address: 'x:1' };
      expect(await storage.leases.acquire({ ...other, ttlMs: 60_000 })).toMatchObject({ epoch: 3 });
      await new Promise((resolve) => setTimeout(resolve, 200)); // four renewals
    } finally {
      gate.open();
    }
    // The load ends with the lease gone: the world does not run here (before, it ran on
    // with epoch 2, unowned: its commands refused, its checkpoints fenced, never dropped).
    const runsHere = () => {
      try {
        return Boolean(e.worlds.get('lh'));
      } catch {
        return false;
      }
    };
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runsHere()).toBe(false);
    expect(await storage.leases.get('lh', 'physics')).toMatchObject({
      holder: 'replica-hx',
      epoch: 3,
    });
    await storage.leases.release('lh', 'physics', 'replica-hx', 3);
  });

  it('starts a world once when Inits that waited for a failed start go on together (one acquisition, one epoch)', async () => {
    for (const engine of engines.splice(0)) await engine.close();
    const gate = heldCheckpointReads('once');
    const e = await start('replica-once', 1_500, undefined, gate.storage);
    const first = e.worlds.init('once', undefined, 'test', true).catch((error: unknown) => error);
    await until('the first start reading the checkpoint', () => gate.reads() === 1);
    // Two more Inits wait for it; meanwhile its lease is lost (taken and given back elsewhere).
    const waiting = [1, 2].map(() => e.worlds.init('once', undefined, 'test', true));
    expect(await storage.leases.release('once', 'physics', 'replica-once', 1, false)).toBe(true);
    const other = { worldId: 'once', role: 'physics', holder: 'replica-ox', address: 'x:1' };
    await storage.leases.acquire({ ...other, ttlMs: 60_000 });
    await storage.leases.release('once', 'physics', 'replica-ox', 2, false);
    await new Promise((resolve) => setTimeout(resolve, 200)); // renewals see the lease gone
    gate.open();
    expect(await first).toMatchObject({ code: EngineErrorCode.Unavailable });
    // The two that waited share one start: before, both started and the second acquisition
    // (this replica's own) raised the epoch under the first, which then failed.
    await expect(Promise.all(waiting)).resolves.toHaveLength(2);
    expect(await storage.leases.get('once', 'physics')).toMatchObject({
      holder: 'replica-once',
      epoch: 3,
    });
  });
});
