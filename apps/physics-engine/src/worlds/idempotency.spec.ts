import fc from 'fast-check';
import { InMemoryBroker, InMemoryBus, type EventBus } from '@anvil/bus';
import type { PhysicsIntent } from '@anvil/engine-contract';
import type { Storage } from '@anvil/storage';
import { ManualClock } from '@anvil/runtime';
import { loadPhysicsConfig } from '../config/physics-config';
import { loadRapier } from '../simulation/rapier';
import { ball } from '../simulation/test-support';
import { readLog } from '../testing/bus-test-support';
import { timedIntents } from '../testing/log-test-support';
import type { KeyedResult } from '../simulation/applied-keys';
import { CheckpointService } from './checkpoints';
import { WorldsService } from './worlds.service';
import { memoryCheckpointStorage } from '../testing/checkpoint-test-support';

const HZ = 50;
const DT = 1000 / HZ;
const settle = () => new Promise((resolve) => setImmediate(resolve));
const spawn = (id: string): PhysicsIntent => ({
  type: 'spawnBody',
  body: ball(id, 2_000, 2_000),
});

async function engine(
  bus: EventBus,
  mode: 'auto' | 'manual',
  options: { clock?: ManualClock; storage?: Storage; everyTicks?: number } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const checkpoints = options.storage
    ? new CheckpointService({
        storage: options.storage,
        everyTicks: options.everyTicks ?? 5,
        keep: 100,
        onError: (_w, tick, error) => {
          throw new Error(`checkpoint of tick ${tick} failed: ${String(error)}`);
        },
      })
    : undefined;
  return new WorldsService({
    rapier: await loadRapier(),
    bus,
    clock,
    timers: clock,
    checkpoints,
    config: loadPhysicsConfig({
      ENGINE_TOKEN: 'idempotency-test-engine-token',
      TICK_MODE: mode,
      TICK_HZ: String(HZ),
    }),
  });
}

describe('idempotency keys in the physics engine', () => {
  it('answers a repeated key with the first result and applies nothing more', async () => {
    const bus = new InMemoryBus();
    const worlds = await engine(bus, 'manual');
    await worlds.init('w', undefined);
    const first = await worlds.apply('w', spawn('a'), 'gw:1');
    await worlds.apply('w', { type: 'setVelocity', bodyId: 'a', vxMmS: 5 });
    await worlds.tick('w', 3);
    const hash = worlds.get('w').sim.stateHash();
    // The spawn again would be refused (the body exists): a repeat is answered, not validated.
    await expect(worlds.apply('w', spawn('a'), 'gw:1')).resolves.toEqual(first);
    expect(first).toEqual({ applyTick: 1, entityId: 'a' });
    expect(worlds.get('w').sim.pendingCount).toBe(0);
    await worlds.tick('w', 4);
    const log = readLog(bus);
    expect(log.map((e) => [e.seq, e.tick, e.keys])).toEqual([[1, 1, ['gw:1', '']]]);
    // Without a key the same command is a new one (and refused here).
    await expect(worlds.apply('w', spawn('a'))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(hash).not.toBe(worlds.get('w').sim.stateHash()); // it kept stepping, nothing else
    await worlds.closeAll();
  });

  it('answers a repeat of a key still queued for the next tick with the same tick, once logged (auto mode)', async () => {
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const worlds = await engine(bus, 'auto', { clock });
    await worlds.init('w', undefined);
    const answered: Array<KeyedResult> = [];
    const first = worlds.apply('w', spawn('a'), 'k').then((r) => answered.push(r));
    const again = worlds.apply('w', spawn('a'), 'k').then((r) => answered.push(r));
    await settle();
    expect(worlds.get('w').sim.pendingCount).toBe(1);
    expect(answered).toEqual([]);
    clock.advance(DT);
    await Promise.all([first, again]);
    expect(answered).toEqual([
      { applyTick: 1, entityId: 'a' },
      { applyTick: 1, entityId: 'a' },
    ]);
    expect(readLog(bus).map((e) => e.intents.length)).toEqual([1]);
    // Applied by now: a third try is answered at once, from the applied keys.
    await expect(worlds.apply('w', spawn('a'), 'k')).resolves.toEqual({
      applyTick: 1,
      entityId: 'a',
    });
    await worlds.closeAll();
  });

  it('does not count a repeated spawn against the body limits', async () => {
    const worlds = await engine(new InMemoryBus(), 'manual');
    await worlds.init('w', { widthMm: 0, heightMm: 0, maxBodies: 1 });
    await worlds.apply('w', spawn('a'), 'k');
    await expect(worlds.apply('w', spawn('b'))).rejects.toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
    });
    await expect(worlds.apply('w', spawn('a'), 'k')).resolves.toEqual({
      applyTick: 1,
      entityId: 'a',
    });
    await worlds.closeAll();
  });

  it('does not remember the key of a refused command: it may be sent again', async () => {
    const worlds = await engine(new InMemoryBus(), 'manual');
    await worlds.init('w', undefined);
    await expect(worlds.apply('w', { type: 'removeBody', bodyId: 'a' }, 'k')).rejects.toMatchObject(
      { code: 'NOT_FOUND' },
    );
    await worlds.apply('w', spawn('a'));
    await worlds.tick('w', 1);
    await expect(worlds.apply('w', { type: 'removeBody', bodyId: 'a' }, 'k')).resolves.toEqual({
      applyTick: 2,
      entityId: 'a',
    });
    await worlds.closeAll();
  });

  it('learns the keys again when the world is restored from checkpoint and log', async () => {
    const broker = new InMemoryBroker();
    const storage = memoryCheckpointStorage();
    const first = await engine(new InMemoryBus({ broker }), 'manual', { storage, everyTicks: 5 });
    await first.init('w', undefined);
    const before = await first.apply('w', spawn('a'), 'before-checkpoint');
    await first.tick('w', 3);
    await first.get('w').flushCheckpoints();
    await first.tick('w', 6);
    await first.get('w').flushCheckpoints();
    const after = await first.apply('w', spawn('b'), 'after-checkpoint');
    await first.tick('w', 8);
    const hash = first.get('w').sim.stateHash();
    await first.closeAll();
    expect((await storage.checkpoints.latest('w', 0))?.tick).toBe(5);

    const second = await engine(new InMemoryBus({ broker }), 'manual', { storage });
    const { runtime } = await second.init('w', undefined);
    expect([runtime.sim.tick, runtime.sim.stateHash()]).toEqual([7, expect.any(String)]);
    await second.tick('w', 8);
    expect(runtime.sim.stateHash()).toBe(hash);
    await expect(second.apply('w', spawn('a'), 'before-checkpoint')).resolves.toEqual(before);
    await expect(second.apply('w', spawn('b'), 'after-checkpoint')).resolves.toEqual(after);
    expect(runtime.sim.pendingCount).toBe(0);
    await second.closeAll();
  });
});

/**
 * The property: a random command sequence in which random accepted commands are submitted again
 * (same key, some in the same tick, some later, optionally across a restore of the world from
 * checkpoint and log) ends in the same state, and the same log, as submitting each once.
 */
describe('property: a command submitted twice with its key applies once', () => {
  const TICKS = 40;

  interface Run {
    hash: string;
    intents: string;
    answers: Map<number, KeyedResult>;
  }

  async function run(
    commands: Array<[number, PhysicsIntent]>,
    repeats: Array<[index: number, delay: number]>,
    restoreAt?: number,
  ): Promise<Run> {
    const broker = new InMemoryBroker();
    const storage = memoryCheckpointStorage();
    let worlds = await engine(new InMemoryBus({ broker }), 'manual', { storage, everyTicks: 7 });
    await worlds.init('w', undefined);
    const answers = new Map<number, KeyedResult>();
    const submit = async (index: number) => {
      try {
        return await worlds.apply('w', commands[index][1], `key-${index}`);
      } catch {
        return undefined; // refused: changes nothing, and its key is not remembered
      }
    };
    for (let tick = 0; tick < TICKS; tick++) {
      if (tick === restoreAt) {
        await worlds.get('w').flushCheckpoints();
        const hash = worlds.get('w').sim.stateHash();
        await worlds.closeAll();
        worlds = await engine(new InMemoryBus({ broker }), 'manual', { storage, everyTicks: 7 });
        await worlds.init('w', undefined);
        await worlds.tick('w', tick);
        expect(worlds.get('w').sim.stateHash()).toBe(hash);
      }
      for (const [index, [t]] of commands.entries()) {
        if (t !== tick) continue;
        const answer = await submit(index);
        if (answer) answers.set(index, answer);
      }
      for (const [index, delay] of repeats) {
        if (commands[index][0] + delay !== tick || !answers.has(index)) continue;
        await expect(submit(index)).resolves.toEqual(answers.get(index));
      }
      await worlds.tick('w', tick + 1);
      await worlds.get('w').flushCheckpoints();
    }
    const hash = worlds.get('w').sim.stateHash();
    await worlds.closeAll();
    const log = readLog(new InMemoryBus({ broker }));
    return { hash, intents: JSON.stringify(log.map((e) => [e.tick, e.intents, e.keys])), answers };
  }

  const cases = fc.record({
    commands: timedIntents(TICKS, 30),
    repeats: fc.array(fc.tuple(fc.nat(29), fc.integer({ min: 0, max: 8 })), { maxLength: 30 }),
  });

  it('same hash and log as submitting each once', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ commands, repeats }) => {
        const valid = repeats.filter(([i]) => i < commands.length);
        const once = await run(commands, []);
        const twice = await run(commands, valid);
        expect(twice.hash).toBe(once.hash);
        expect(twice.intents).toBe(once.intents);
        expect(twice.answers).toEqual(once.answers);
      }),
      { numRuns: 25 },
    );
  }, 300_000);

  it('the same when the world is restored from checkpoint and log between the two submissions', async () => {
    await fc.assert(
      fc.asyncProperty(
        cases,
        fc.integer({ min: 1, max: TICKS - 1 }),
        async ({ commands, repeats }, restoreAt) => {
          // Every repeat crosses the restore: its first submission before, the second after.
          const crossing = repeats
            .filter(([i]) => i < commands.length && commands[i][0] < restoreAt)
            .map(([i, delay]): [number, number] => [
              i,
              Math.max(delay, restoreAt - commands[i][0]),
            ]);
          const once = await run(commands, []);
          const twice = await run(commands, crossing, restoreAt);
          expect(twice.hash).toBe(once.hash);
          expect(twice.intents).toBe(once.intents);
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);
});
