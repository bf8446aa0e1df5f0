import {
  InMemoryBroker,
  InMemoryBus,
  worldTopic,
  type CloudEvent,
  type EventBus,
  type ReadKeyOptions,
} from '@anvil/bus';
import { EngineErrorCode } from '@anvil/engine-contract';
import { createStorage, type Storage } from '@anvil/storage';
import { loadPhysicsConfig } from '../config/physics-config';
import { LOG_KEYS_WINDOW_MS } from '../log/read-log';
import { loadRapier } from '../simulation/rapier';
import { ball } from '../simulation/test-support';
import { CheckpointService, CHECKPOINT_SHARD } from './checkpoints';
import { WorldsService } from './worlds.service';

// A world restored from a checkpoint reads its log only from a window before the checkpoint's last
// entry was appended (LOG_KEYS_WINDOW_MS), and all of it when that read does not hold what the
// checkpoint needs: the bound saves time, it never decides what the world becomes.
jest.setTimeout(120_000);

const HZ = 50;
const spawn = (id: string) => ({ type: 'spawnBody' as const, body: ball(id, 2_000, 2_000) });

/** Whether an event is stamped before `sinceMs`, by the time it carries shifted by `skewMs`. */
const older = (event: CloudEvent, sinceMs: number, skewMs: number) =>
  Date.parse(event.time) + skewMs < sinceMs;

/**
 * The in-memory bus, recording readKey's options, writing nothing (a restored world's Init would
 * append nothing here anyway: no ownership, manual ticks). `bounded` answers a read with a bound.
 */
function recordingBus(
  inner: InMemoryBus,
  bounded: (events: CloudEvent[], sinceMs: number) => CloudEvent[],
) {
  const reads: Array<ReadKeyOptions | undefined> = [];
  const bus: EventBus = {
    publish: async () => undefined,
    subscribe: (options, handler) => inner.subscribe(options, handler),
    readKey: async (topic, key, options) => {
      reads.push(options);
      const events = await inner.readKey(topic, key);
      return options?.sinceMs === undefined ? events : bounded(events, options.sinceMs);
    },
    close: async () => undefined,
  };
  return { bus, reads };
}

/**
 * As Kafka answers a bound, for records stamped `skewMs` off the time their events carry (the
 * writer's clock was that much off the database's): from the first one stamped then or later.
 */
const kafkaLike = (skewMs: number) => (events: CloudEvent[], sinceMs: number) => {
  const first = events.findIndex((event) => !older(event, sinceMs, skewMs));
  return first < 0 ? [] : events.slice(first);
};

describe('restoring a world reads its log from about its checkpoint on', () => {
  let storage: Storage;
  let checkpoints: CheckpointService;
  const broker = new InMemoryBroker();
  const hashes = new Map<number, string>();
  /** Where a bounded read starts: the window before entry 3 (the checkpoint's) was appended. */
  let bound: number;

  const engine = async (bus: EventBus, withCheckpoints = true) =>
    new WorldsService({
      rapier: await loadRapier(),
      bus,
      checkpoints: withCheckpoints ? checkpoints : undefined,
      config: loadPhysicsConfig({
        ENGINE_TOKEN: 'log-read-bound-test-engine-token',
        TICK_MODE: 'manual',
        TICK_HZ: String(HZ),
      }),
    });

  beforeAll(async () => {
    storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
    checkpoints = new CheckpointService({
      storage,
      everyTicks: 10,
      keep: 2,
      onError: (_w, tick, error) => {
        throw new Error(`checkpoint of tick ${tick} failed: ${String(error)}`);
      },
    });
    // Entries 1-3 before the checkpoint of tick 20, 4 and 5 after it.
    const first = await engine(new InMemoryBus({ broker }));
    await first.init('w', undefined);
    const runtime = first.get('w');
    for (const [tick, intent] of [
      [0, spawn('a')],
      [5, spawn('b')],
      [14, { type: 'setVelocity' as const, bodyId: 'b', vxMmS: 700 }],
      [22, { type: 'applyImpulse' as const, bodyId: 'a', ixMnS: 300, iyMnS: 900 }],
      [24, { type: 'setVelocity' as const, bodyId: 'a', vxMmS: -200 }],
    ] as const) {
      while (runtime.sim.tick < tick) {
        await first.tick('w', runtime.sim.tick + 1);
        await runtime.flushCheckpoints();
        hashes.set(runtime.sim.tick, runtime.sim.stateHash());
      }
      await first.apply('w', intent);
    }
    await first.tick('w', 25);
    hashes.set(25, runtime.sim.stateHash());
    await first.closeAll();
    const latest = await storage.checkpoints.latest('w', CHECKPOINT_SHARD);
    expect([latest?.tick, latest?.logSeq]).toEqual([20, 3]);
    // The row says when entry 3 was appended: the time its event (and record) carries.
    const log = await new InMemoryBus({ broker }).readKey(worldTopic('commands'), 'w');
    const third = log.find((event) => (event.data as { seq: number }).seq === 3)!;
    expect(latest?.logAppendedAt?.getTime()).toBe(Date.parse(third.time));
    bound = Date.parse(third.time) - LOG_KEYS_WINDOW_MS;
  });
  afterAll(() => storage?.close());

  /** Restores 'w' on a fresh engine; the tick, seq and hash it continues at. */
  async function restore(bus: EventBus, withCheckpoints = true) {
    const worlds = await engine(bus, withCheckpoints);
    try {
      const { runtime } = await worlds.init('w', undefined);
      return { tick: runtime.sim.tick, logSeq: runtime.logSeq, hash: runtime.sim.stateHash() };
    } finally {
      await worlds.closeAll();
    }
  }

  /** Where the log ends: entry 5 applies at tick 25. */
  const expected = () => ({ tick: 25, logSeq: 5, hash: hashes.get(25) });

  it('reads once, from the window before the checkpoint’s last entry was appended, when that reaches the checkpoint', async () => {
    const { bus, reads } = recordingBus(new InMemoryBus({ broker }), kafkaLike(0));
    expect(await restore(bus)).toEqual(expected());
    expect(reads).toEqual([{ sinceMs: bound }]);
  });

  it('reads all of the log when the entries after the checkpoint are older than the bound (records stamped by a clock far behind, as a broker’s LogAppendTime would be)', async () => {
    // Every record stamped 10 minutes before its event's time: the bounded read holds nothing.
    const { bus, reads } = recordingBus(
      new InMemoryBus({ broker }),
      kafkaLike(-10 * LOG_KEYS_WINDOW_MS),
    );
    expect(await restore(bus)).toEqual(expected());
    expect(reads).toEqual([{ sinceMs: bound }, undefined]);
  });

  it('reads all of the log when the bounded read lacks an entry after the checkpoint (LOG_GAP)', async () => {
    // A bus that leaves out entry 4 though it returns the checkpoint's entry (3) and entry 5.
    const { bus, reads } = recordingBus(new InMemoryBus({ broker }), (events) =>
      events.filter((event) => (event.data as { seq: number }).seq !== 4),
    );
    expect(await restore(bus)).toEqual(expected());
    expect(reads).toEqual([{ sinceMs: bound }, undefined]);
  });

  it('still refuses UNAVAILABLE when the whole log has the gap too', async () => {
    const inner = new InMemoryBus({ broker });
    const { bus, reads } = recordingBus(inner, (events) => events);
    const readKey = bus.readKey!;
    bus.readKey = async (topic, key, options) =>
      (await readKey(topic, key, options)).filter(
        (event) => (event.data as { seq: number }).seq !== 4,
      );
    await expect(restore(bus)).rejects.toMatchObject({
      code: EngineErrorCode.Unavailable,
      message: expect.stringMatching(/LOG_GAP/),
    });
    expect(reads).toEqual([{ sinceMs: bound }, undefined]);
  });

  it('reads all of the log, once, without a checkpoint', async () => {
    const { bus, reads } = recordingBus(new InMemoryBus({ broker }), () => []);
    expect(await restore(bus, false)).toEqual(expected());
    expect(reads).toEqual([undefined]);
  });
});
