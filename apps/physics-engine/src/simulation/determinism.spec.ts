import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import type { PhysicsIntent } from '@anvil/engine-contract';
import { TEST_SETTINGS, ball, enqueueAll, newSimulation } from './test-support';
import type { WorldSimulation } from './world-simulation';

/** A command queued before the step that completes tick `tick + 1`. */
type Timed = [tick: number, intent: PhysicsIntent];

const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const mm = (max: number) => fc.integer({ min: 0, max });
const speed = fc.integer({ min: -5_000, max: 5_000 });
const intent: fc.Arbitrary<PhysicsIntent> = fc.oneof(
  fc
    .record({
      id: ids,
      x: mm(TEST_SETTINGS.widthMm),
      y: mm(TEST_SETTINGS.heightMm),
      r: fc.integer({ min: 50, max: 800 }),
    })
    .map(({ id, x, y, r }) => ({ type: 'spawnBody' as const, body: ball(id, x, y, r) })),
  fc
    .record({
      id: ids,
      x: mm(TEST_SETTINGS.widthMm),
      y: mm(TEST_SETTINGS.heightMm),
      w: fc.integer({ min: 50, max: 800 }),
    })
    .map(({ id, x, y, w }) => ({
      type: 'spawnBody' as const,
      body: { ...ball(id, x, y), shape: 'box' as const, halfWidthMm: w },
    })),
  ids.map((bodyId) => ({ type: 'removeBody' as const, bodyId })),
  fc
    .record({ bodyId: ids, vxMmS: speed, vyMmS: fc.option(speed, { nil: undefined }) })
    .map((c) => ({ type: 'setVelocity' as const, ...c })),
  fc
    .record({ bodyId: ids, ixMnS: speed, iyMnS: speed })
    .map((c) => ({ type: 'applyImpulse' as const, ...c })),
);
const TICKS = 90;
const scenario = fc
  .array(fc.tuple(fc.nat(TICKS - 1), intent), { maxLength: 40 })
  .map((cmds) => cmds.sort((a, b) => a[0] - b[0]));

function runUntil(sim: WorldSimulation, commands: Timed[], tick: number): void {
  while (sim.tick < tick) {
    enqueueAll(
      sim,
      commands.filter(([t]) => t === sim.tick).map(([, i]) => i),
    );
    sim.step();
  }
}

describe('determinism', () => {
  it('two independent simulations given the same commands reach the same state hash', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (commands) => {
        const [a, b] = [await newSimulation(), await newSimulation()];
        runUntil(a, commands, TICKS);
        runUntil(b, commands, TICKS);
        expect(a.stateHash()).toBe(b.stateHash());
        a.free();
        b.free();
      }),
      { numRuns: 40 },
    );
  });

  it('a snapshot at tick T restored in a fresh process and replayed matches the uninterrupted run', async () => {
    const cases = fc.sample(fc.tuple(scenario, fc.integer({ min: 1, max: TICKS - 1 })), {
      numRuns: 6,
      seed: 42,
    });
    // The last case is a crowded scene, restored mid-fall.
    const crowd: Timed[] = Array.from({ length: 60 }, (_, i) => [
      i % 5,
      {
        type: 'spawnBody',
        body: ball(`c${i}`, 500 + (i % 12) * 700, 3_000 + Math.floor(i / 12) * 900),
      },
    ]);
    cases.push([crowd, 30]);
    const scenarios: Array<{ state: string; commands: Timed[]; untilTick: number }> = [];
    const expected: string[] = [];
    for (const [commands, t] of cases) {
      const sim = await newSimulation();
      runUntil(sim, commands, t);
      scenarios.push({
        state: sim.snapshot().state.toString('base64'),
        commands,
        untilTick: TICKS,
      });
      runUntil(sim, commands, TICKS);
      expected.push(sim.stateHash());
      sim.free();
    }
    const child = spawnSync(
      process.execPath,
      [path.join(__dirname, '../../test/restore-replay.cjs')],
      {
        input: JSON.stringify({ scenarios }),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe('');
    const results = JSON.parse(child.stdout) as Array<{ pid: number; tick: number; hash: string }>;
    expect(results[0].pid).not.toBe(process.pid);
    expect(results.map((r) => r.tick)).toEqual(cases.map(() => TICKS));
    expect(results.map((r) => r.hash)).toEqual(expected);
  }, 60_000);
});
