import { InMemoryBus, type CloudEvent, type EventBus } from '@anvil/bus';
import { EngineErrorCode } from '@anvil/engine-contract';
import { loadPhysicsConfig } from '../config/physics-config';
import { flakyBus, readLog } from '../log/bus-test-support';
import { LOG_RETRY_DELAY_MS, MAX_LOG_BACKLOG } from '../log/command-log-writer';
import { loadRapier } from '../simulation/rapier';
import { ball } from '../simulation/test-support';
import { ManualClock } from '../tick/clock';
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
    const a = worlds.apply('w', spawn('a')).then((tick) => (answered = tick));
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
    await expect(c).resolves.toBe(5);
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
    await expect(accepted).resolves.toBeGreaterThan(1);
    expect(readLog(inner).map((e) => e.seq)).toEqual([1, 2]);
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
    await expect(worlds.apply('w', spawn('late'))).resolves.toBe(MAX_LOG_BACKLOG + 1);
    expect(readLog(inner).length).toBe(MAX_LOG_BACKLOG);
    await worlds.closeAll();
  });
});
