import {
  InMemoryBroker,
  InMemoryBus,
  worldTopic,
  type CloudEvent,
  type EventBus,
} from '@anvil/bus';
import { createStorage } from '@anvil/storage';
import { EngineErrorCode } from '@anvil/engine-contract';
import { loadPhysicsConfig } from '../config/physics-config';
import { flakyBus, readLog } from '../testing/bus-test-support';
import { entryToEvent } from '../log/command-log-entry';
import { LOG_RETRY_DELAY_MS, MAX_LOG_BACKLOG } from '../log/command-log-writer';
import { loadRapier } from '../simulation/rapier';
import { ball, newSimulation } from '../simulation/test-support';
import { ManualClock } from '@anvil/runtime';
import { CheckpointService, WorldCheckpoints } from './checkpoints';
import { WorldsService } from './worlds.service';

const settle = () => new Promise((resolve) => setImmediate(resolve));
const HZ = 50;
const DT = 1000 / HZ;

async function engine(bus: EventBus, mode: 'auto' | 'manual', clock = new ManualClock()) {
  const config = loadPhysicsConfig({
    ENGINE_TOKEN: 'command-log-test-engine-token',
    TICK_MODE: mode,
    TICK_HZ: String(HZ),
  });
  const worlds = new WorldsService({
    rapier: await loadRapier(),
    bus,
    config,
    clock,
    timers: clock,
  });
  return { worlds, clock };
}

const spawn = (id: string) => ({ type: 'spawnBody' as const, body: ball(id, 2_000, 2_000) });

describe('the engine writes the command log', () => {
  it('answers ApplyCommand only once the entry holding the command is in the log', async () => {
    const bus = new InMemoryBus();
    const { worlds, clock } = await engine(bus, 'auto');
    await worlds.init('w', undefined);
    let answered: number | undefined;
    const a = worlds.apply('w', spawn('a')).then(({ applyTick }) => (answered = applyTick));
    const b = worlds.apply('w', { type: 'setVelocity', bodyId: 'a', vxMmS: 100 });
    await settle();
    expect(answered).toBeUndefined();
    expect(readLog(bus)).toEqual([]);
    clock.advance(DT);
    await Promise.all([a, b]);
    expect(answered).toBe(1);
    expect(readLog(bus).map((e) => [e.seq, e.tick, e.intents.map((i) => i.type)])).toEqual([
      [1, 1, ['spawnBody', 'setVelocity']],
    ]);
    // Ticks without intents write nothing; the next batch is seq 2.
    clock.advance(3 * DT);
    const c = worlds.apply('w', spawn('c'));
    clock.advance(DT);
    await expect(c).resolves.toEqual({ applyTick: 5, entityId: 'c' });
    expect(readLog(bus).map((e) => [e.seq, e.tick])).toEqual([
      [1, 1],
      [2, 5],
    ]);
    await worlds.closeAll();
  });

  it('answers the callers of a tick whose entry the bus refused UNAVAILABLE and refuses commands until it is written', async () => {
    const { bus, inner, state } = flakyBus();
    const { worlds, clock } = await engine(bus, 'auto');
    await worlds.init('w', undefined);
    state.down = true;
    const refused = worlds.apply('w', spawn('a'));
    clock.advance(DT);
    await expect(refused).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
    await expect(worlds.apply('w', spawn('b'))).rejects.toMatchObject({
      code: EngineErrorCode.Unavailable,
      message: expect.stringMatching(/command log is not writable/),
    });
    state.down = false;
    clock.advance(LOG_RETRY_DELAY_MS.first);
    await settle();
    await settle();
    // The refused entry was applied, so it is written: the log and the world agree.
    expect(readLog(inner).map((e) => [e.seq, e.tick])).toEqual([[1, 1]]);
    expect(worlds.get('w').sim.bodyCount).toBe(1);
    const accepted = worlds.apply('w', spawn('b'));
    clock.advance(DT);
    expect((await accepted).applyTick).toBeGreaterThan(1);
    expect(readLog(inner).map((e) => e.seq)).toEqual([1, 2]);
    await worlds.closeAll();
  });

  it('answers Tick (manual mode) only once its entries are logged, a retried Tick too', async () => {
    const clock = new ManualClock();
    const { bus, inner, state } = flakyBus();
    const { worlds } = await engine(bus, 'manual', clock);
    await worlds.init('w', undefined);
    await expect(worlds.apply('w', spawn('a'))).resolves.toEqual({ applyTick: 1, entityId: 'a' });
    state.down = true;
    await expect(worlds.tick('w', 1)).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
    // EngineClient retries Tick on UNAVAILABLE: the world is at tick 1 already, still not logged.
    await expect(worlds.tick('w', 1)).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
    state.down = false;
    clock.advance(LOG_RETRY_DELAY_MS.first);
    await settle();
    await expect(worlds.tick('w', 1)).resolves.toMatchObject({ steps: 0 });
    expect(readLog(inner).map((e) => [e.seq, e.tick])).toEqual([[1, 1]]);
    await worlds.closeAll();
  });

  it('refuses commands RESOURCE_EXHAUSTED while MAX_LOG_BACKLOG entries are unacknowledged', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = new InMemoryBus();
    const stalled: EventBus = {
      publish: async (topic: string, key: string, events: CloudEvent[]) => {
        await gate;
        return inner.publish(topic, key, events);
      },
      subscribe: (o, h) => inner.subscribe(o, h),
      close: () => inner.close(),
    };
    const { worlds } = await engine(stalled, 'manual');
    await worlds.init('w', undefined);
    const ticks: Promise<unknown>[] = [];
    await worlds.apply('w', spawn('a'));
    for (let i = 0; i < MAX_LOG_BACKLOG; i++) {
      if (i > 0) await worlds.apply('w', { type: 'setVelocity', bodyId: 'a', vxMmS: i });
      ticks.push(worlds.tick('w', i + 1));
    }
    await expect(worlds.apply('w', spawn('late'))).rejects.toMatchObject({
      code: EngineErrorCode.ResourceExhausted,
    });
    release();
    await Promise.all(ticks);
    await expect(worlds.apply('w', spawn('late'))).resolves.toMatchObject({
      applyTick: MAX_LOG_BACKLOG + 1,
    });
    expect(readLog(inner).length).toBe(MAX_LOG_BACKLOG);
    await worlds.closeAll();
  });
});

describe('a world the engine does not hold is restored from its checkpoint and its log', () => {
  const rapierEngine = async (bus: EventBus, checkpoints?: CheckpointService) =>
    new WorldsService({
      rapier: await loadRapier(),
      bus,
      checkpoints,
      config: loadPhysicsConfig({
        ENGINE_TOKEN: 'command-log-test-engine-token',
        TICK_MODE: 'manual',
        TICK_HZ: String(HZ),
      }),
    });

  /** Steps one tick at a time, letting each checkpoint save settle; the hash after each tick. */
  async function run(worlds: WorldsService, to: number, hashes: Map<number, string>) {
    const runtime = worlds.get('w');
    while (runtime.sim.tick < to) {
      await worlds.tick('w', runtime.sim.tick + 1);
      await runtime.flushCheckpoints();
      hashes.set(runtime.sim.tick, runtime.sim.stateHash());
    }
  }

  it('without checkpoints: the first state plus the whole log, continuing at the last logged tick', async () => {
    const broker = new InMemoryBroker();
    const first = await rapierEngine(new InMemoryBus({ broker }));
    const hashes = new Map<number, string>();
    await first.init('w', undefined);
    await first.apply('w', spawn('a'));
    await run(first, 5, hashes);
    await first.apply('w', { type: 'applyImpulse', bodyId: 'a', ixMnS: 500, iyMnS: 0 });
    await run(first, 12, hashes);
    await first.closeAll(); // the engine is gone; the bus (the log) stays

    const second = await rapierEngine(new InMemoryBus({ broker }));
    const { runtime, created } = await second.init('w', undefined);
    expect(created).toBe(false);
    expect(runtime.sim.tick).toBe(6);
    expect(runtime.sim.stateHash()).toBe(hashes.get(6));
    // The log goes on without a gap.
    await second.apply('w', { type: 'setVelocity', bodyId: 'a', vxMmS: 10 });
    await second.tick('w', 7);
    expect(readLog(new InMemoryBus({ broker })).map((e) => [e.seq, e.tick])).toEqual([
      [1, 1],
      [2, 6],
      [3, 7],
    ]);
    await second.closeAll();
  });

  it('with checkpoints: the latest checkpoint records its log position, and only later entries replay', async () => {
    const storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
    const checkpoints = new CheckpointService({
      storage,
      everyTicks: 10,
      keep: 2,
      onError: (_w, tick, error) => {
        throw new Error(`checkpoint of tick ${tick} failed: ${String(error)}`);
      },
    });
    try {
      const broker = new InMemoryBroker();
      const first = await rapierEngine(new InMemoryBus({ broker }), checkpoints);
      const hashes = new Map<number, string>();
      await first.init('w', undefined);
      for (const [tick, intent] of [
        [0, spawn('a')],
        [5, spawn('b')],
        [14, { type: 'setVelocity' as const, bodyId: 'b', vxMmS: 700 }],
        [22, { type: 'applyImpulse' as const, bodyId: 'a', ixMnS: 300, iyMnS: 900 }],
      ] as const) {
        await run(first, tick, hashes);
        await first.apply('w', intent);
      }
      await run(first, 25, hashes);
      await first.closeAll();
      const latest = await storage.checkpoints.latest('w', 0);
      expect([latest?.tick, latest?.logSeq]).toEqual([20, 3]);

      const second = await rapierEngine(new InMemoryBus({ broker }), checkpoints);
      const { runtime } = await second.init('w', undefined);
      expect([runtime.sim.tick, runtime.logSeq]).toEqual([23, 4]);
      expect(runtime.sim.stateHash()).toBe(hashes.get(23));
      await second.closeAll();
    } finally {
      await storage.close();
    }
  }, 120_000);

  it('saves a checkpoint only once the log entry it includes is acknowledged', async () => {
    const saved: Array<[tick: number, logSeq: number, appendedAt?: number]> = [];
    let acknowledge!: () => void;
    const logged = new Promise<void>((resolve) => (acknowledge = resolve));
    const writer = new WorldCheckpoints(
      'w',
      1,
      async (snap, log) => void saved.push([snap.tick, log.seq, log.appendedAt]),
      () => undefined,
    );
    const sim = await newSimulation();
    sim.step();
    writer.afterStep(sim, { seq: 7, appendedAt: 1_234, logged: () => logged });
    await settle();
    expect(saved).toEqual([]);
    acknowledge();
    await writer.flush();
    expect(saved).toEqual([[1, 7, 1_234]]);
    sim.free();
  });

  it('refuses UNAVAILABLE when the log does not fit the checkpoint', async () => {
    const broker = new InMemoryBroker();
    const bus = new InMemoryBus({ broker });
    const first = await rapierEngine(bus);
    await first.init('w', undefined);
    await first.apply('w', spawn('a'));
    await first.tick('w', 1);
    await first.closeAll();
    // Another writer of the same epoch wrote a different entry 1.
    const clash = { ...readLog(bus)[0], intents: [spawn('zz')] };
    await bus.publish(worldTopic('commands'), 'w', [entryToEvent(clash, new Date())]);
    const third = await rapierEngine(new InMemoryBus({ broker }));
    await expect(third.init('w', undefined)).rejects.toMatchObject({
      code: EngineErrorCode.Unavailable,
      message: expect.stringMatching(/LOG_CONFLICT/),
    });
  });
});
