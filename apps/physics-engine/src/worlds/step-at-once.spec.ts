import { InMemoryBus, type CloudEvent, type EventBus } from '@anvil/bus';
import { ManualClock } from '@anvil/runtime';
import { createStorage, type Storage } from '@anvil/storage';
import { bootstrap } from '../bootstrap';
import { loadPhysicsConfig } from '../config/physics-config';
import { ball } from '../simulation/test-support';

// A world that comes back on a replica (handed over, or restored from checkpoint and log) steps
// once as soon as it is served, not a tick later: its players see it at once (and a restored
// world's first delta leaves with its epoch marker). The engines' clock is manual: no scheduled
// step runs here.
jest.setTimeout(60_000);

const HZ = 2;

const config = () =>
  loadPhysicsConfig({
    ENGINE_TOKEN: 'step-at-once-test-engine-token',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    TICK_MODE: 'auto',
    TICK_HZ: String(HZ),
  });

describe('a world that comes back', () => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
  });
  afterEach(() => storage.close());

  it.each(['handed over', 'restored'] as const)(
    'steps once at once when it was %s',
    async (how) => {
      const inner = new InMemoryBus();
      /** What was published, in order. */
      const published: Array<{ topic: string; event: CloudEvent }> = [];
      const bus: EventBus = {
        publish: (topic, key, events) => {
          for (const event of events) published.push({ topic, event });
          return inner.publish(topic, key, events);
        },
        subscribe: (options, handler) => inner.subscribe(options, handler),
        readKey: (topic, key, options) => inner.readKey(topic, key, options),
        close: () => inner.close(),
      };
      const clock = new ManualClock();
      const engine = () =>
        bootstrap({ config: config(), bus, storage, clock, timers: clock, logger: false });

      const first = await engine();
      await first.worlds.init('w', undefined);
      const spawned = first.worlds.apply('w', { type: 'spawnBody', body: ball('b', 5_000, 5_000) });
      clock.advance(1000 / HZ);
      await spawned;
      const left = first.worlds.snapshot('w').tick;
      await first.close(); // hands the world over
      if (how === 'restored') {
        // Someone took the lease and let it go with no handover: restore from checkpoint and log.
        const lease = await storage.leases.acquire({
          worldId: 'w',
          role: 'physics',
          holder: 'someone',
          address: 'nowhere:1',
          ttlMs: 60_000,
        });
        await storage.leases.release('w', 'physics', 'someone', lease.epoch, false);
      }

      const second = await engine();
      try {
        const before = published.length;
        const { runtime, created } = await second.worlds.init('w', undefined);
        expect(created).toBe(false);
        expect(runtime.sim.tick).toBe(left + 1);
        const after = published.slice(before);
        const deltas = after.filter(({ topic }) => topic.endsWith('physics'));
        expect(deltas.map(({ event }) => event.tick)).toEqual([left + 1]);
        expect(deltas[0].event.data).toMatchObject({ epoch: runtime.epoch });
        const markers = after.filter(({ topic }) => topic.endsWith('commands'));
        expect(markers).toHaveLength(how === 'restored' ? 1 : 0);
      } finally {
        await second.close();
      }
    },
  );
});
