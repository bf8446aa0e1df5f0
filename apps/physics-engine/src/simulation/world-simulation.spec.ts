import {
  AlreadyExistsError,
  CapacityError,
  EntityNotFoundError,
  InvalidCommandError,
  PreconditionError,
  type BodyView,
} from '@anvil/engine-contract';
import { loadRapier } from './rapier';
import { WorldSimulation } from './world-simulation';
import { TEST_OPTIONS, TEST_SETTINGS, ball, newSimulation } from './test-support';

describe('WorldSimulation', () => {
  it('applies a spawn at the next tick boundary and lets the body fall', async () => {
    const sim = await newSimulation();
    expect(sim.enqueue({ type: 'spawnBody', body: ball('b1', 5_000, 5_000) })).toBe(1);
    expect(sim.bodyCount).toBe(0);
    const first = sim.step();
    expect(first.tick).toBe(1);
    expect(first.changed.map((b) => b.id)).toEqual(['b1']);
    for (let i = 0; i < 30; i++) sim.step();
    const [view] = sim.views();
    expect(view.yMm).toBeLessThan(5_000);
    expect(view.vyMmS).toBeLessThan(0);
    expect(view).toMatchObject({
      id: 'b1',
      kind: 'dynamic',
      shape: 'ball',
      halfWidthMm: 250,
      xMm: 5_000,
    });
  });

  it('stops reporting a body once it rests, and reports removals', async () => {
    const sim = await newSimulation();
    sim.enqueue({ type: 'spawnBody', body: ball('b1', 5_000, 260) });
    let lastChange = 0;
    for (let i = 0; i < 600; i++) if (sim.step().changed.length) lastChange = sim.tick;
    expect(lastChange).toBeLessThan(600);
    expect(sim.views()[0].yMm).toBeGreaterThanOrEqual(240);
    sim.enqueue({ type: 'removeBody', bodyId: 'b1' });
    expect(sim.step()).toMatchObject({ changed: [], removed: ['b1'] });
    expect(sim.views()).toEqual([]);
  });

  it('reports changes sorted by id, and survives a spawn and removal at the same boundary', async () => {
    const sim = await newSimulation();
    for (const id of ['m', 'c', 'x', 'a'])
      sim.enqueue({ type: 'spawnBody', body: ball(id, 1_000 + id.charCodeAt(0) * 50, 5_000) });
    sim.enqueue({ type: 'removeBody', bodyId: 'x' });
    const result = sim.step();
    expect(result.changed.map((b) => b.id)).toEqual(['a', 'c', 'm']);
    expect(result.removed).toEqual(['x']);
    expect(sim.step().changed.map((b) => b.id)).toEqual(['a', 'c', 'm']);
  });

  it('reports exactly the bodies whose quantised view changed, while many or few are awake', async () => {
    const sim = await newSimulation();
    for (let i = 0; i < 60; i++)
      sim.enqueue({
        type: 'spawnBody',
        body: ball(`b${i}`, 500 + (i % 12) * 700, 400 + Math.floor(i / 12) * 700, 150),
      });
    const viewsById = () => new Map(sim.views().map((v) => [v.id, v]));
    const motion = (v: BodyView) => [v.xMm, v.yMm, v.angleMrad, v.vxMmS, v.vyMmS].join();
    let before = viewsById();
    for (let tick = 1; tick <= 900; tick++) {
      if (tick % 150 === 0) {
        // wakes a body that may be asleep, removes one and respawns another id at once
        sim.enqueue({ type: 'applyImpulse', bodyId: 'b7', ixMnS: 20, iyMnS: 400 });
        sim.enqueue({ type: 'removeBody', bodyId: `b${tick / 150}` });
        sim.enqueue({ type: 'removeBody', bodyId: 'b59' });
        sim.enqueue({ type: 'spawnBody', body: ball('b59', 5_000, 9_000, 150) });
      }
      const result = sim.step();
      const after = viewsById();
      const expected = [...after.values()]
        .filter(
          (v) =>
            !before.has(v.id) ||
            motion(before.get(v.id)!) !== motion(v) ||
            (v.id === 'b59' && tick % 150 === 0),
        )
        .map((v) => v.id);
      expect(result.changed.map((b) => b.id)).toEqual(expected);
      for (const b of result.changed)
        expect(motion(after.get(b.id)!)).toBe([b.x, b.y, b.angle, b.vx, b.vy].join());
      before = after;
    }
  });

  it('sets velocity components and applies impulses', async () => {
    const sim = await newSimulation({ ...TEST_SETTINGS, gravityYMmS2: 0 });
    sim.enqueue({ type: 'spawnBody', body: ball('b1', 5_000, 5_000) });
    sim.step();
    sim.enqueue({ type: 'setVelocity', bodyId: 'b1', vxMmS: 1_000 });
    sim.step();
    expect(sim.views()[0]).toMatchObject({ vxMmS: 1_000, vyMmS: 0 });
    sim.enqueue({ type: 'applyImpulse', bodyId: 'b1', ixMnS: 0, iyMnS: 50_000 });
    sim.step();
    expect(sim.views()[0].vyMmS).toBeGreaterThan(0);
  });

  it.each([
    [
      'a duplicate id',
      [ball('b1', 1_000, 1_000)],
      { type: 'spawnBody', body: ball('b1', 2_000, 1_000) },
      AlreadyExistsError,
    ],
    [
      'a body outside the world',
      [],
      { type: 'spawnBody', body: ball('b2', 20_000, 1_000) },
      InvalidCommandError,
    ],
    [
      'a tiny body',
      [],
      { type: 'spawnBody', body: ball('b2', 1_000, 1_000, 1) },
      InvalidCommandError,
    ],
    ['an unknown body', [], { type: 'removeBody', bodyId: 'nope' }, EntityNotFoundError],
    [
      'an empty velocity',
      [ball('b1', 1_000, 1_000)],
      { type: 'setVelocity', bodyId: 'b1' },
      InvalidCommandError,
    ],
    [
      'a too fast body',
      [ball('b1', 1_000, 1_000)],
      { type: 'setVelocity', bodyId: 'b1', vxMmS: 1e6 },
      InvalidCommandError,
    ],
    [
      'a fixed body',
      [{ ...ball('f', 1_000, 1_000), kind: 'fixed' as const }],
      { type: 'applyImpulse', bodyId: 'f', ixMnS: 1, iyMnS: 1 },
      PreconditionError,
    ],
  ] as const)('refuses %s and changes nothing', async (_name, setup, intent, errorClass) => {
    const sim = await newSimulation();
    for (const body of setup) sim.enqueue({ type: 'spawnBody', body });
    sim.step();
    const before = sim.stateHash();
    const bodies = sim.projectedBodyCount;
    expect(() => sim.enqueue(intent as never)).toThrow(errorClass);
    expect(sim.stateHash()).toBe(before);
    expect(sim.projectedBodyCount).toBe(bodies);
  });

  it('validates against queued intents and enforces the caps', async () => {
    const sim = await newSimulation({ ...TEST_SETTINGS, maxBodies: 2 });
    sim.enqueue({ type: 'spawnBody', body: ball('a', 1_000, 1_000) });
    expect(() => sim.enqueue({ type: 'spawnBody', body: ball('a', 2_000, 1_000) })).toThrow(
      AlreadyExistsError,
    );
    sim.enqueue({ type: 'removeBody', bodyId: 'a' });
    sim.enqueue({ type: 'spawnBody', body: ball('a', 2_000, 1_000) });
    sim.enqueue({ type: 'spawnBody', body: ball('b', 3_000, 1_000) });
    expect(() => sim.enqueue({ type: 'spawnBody', body: ball('c', 4_000, 1_000) })).toThrow(
      CapacityError,
    );
    sim.step();
    expect(sim.views().map((v) => [v.id, v.xMm])).toEqual([
      ['a', 2_000],
      ['b', 3_000],
    ]);
    const small = WorldSimulation.create(await loadRapier(), TEST_SETTINGS, {
      ...TEST_OPTIONS,
      maxQueuedIntents: 1,
    });
    small.enqueue({ type: 'spawnBody', body: ball('a', 1_000, 1_000) });
    expect(() => small.enqueue({ type: 'removeBody', bodyId: 'a' })).toThrow(/queue is full/);
  });

  it('restores a snapshot (queued intents included) to the identical state', async () => {
    const sim = await newSimulation();
    sim.enqueue({ type: 'spawnBody', body: ball('a', 1_000, 3_000) });
    sim.enqueue({ type: 'spawnBody', body: ball('b', 1_200, 5_000) });
    for (let i = 0; i < 20; i++) sim.step();
    sim.enqueue({ type: 'setVelocity', bodyId: 'a', vxMmS: 2_000 });
    const snap = sim.snapshot();
    const copy = WorldSimulation.restore(await loadRapier(), snap.state, TEST_OPTIONS);
    expect(copy.tick).toBe(20);
    expect(copy.stateHash()).toBe(snap.stateHash);
    expect(copy.views()).toEqual(snap.bodies);
    for (let i = 0; i < 50; i++) {
      sim.step();
      copy.step();
    }
    expect(copy.stateHash()).toBe(sim.stateHash());
  });

  it('refuses state bytes that are not a snapshot', async () => {
    const rapier = await loadRapier();
    expect(() =>
      WorldSimulation.restore(rapier, Buffer.from('garbage!garbage'), TEST_OPTIONS),
    ).toThrow(InvalidCommandError);
    const snap = (await newSimulation()).snapshot();
    const truncated = snap.state.subarray(0, snap.state.length - 20);
    expect(() => WorldSimulation.restore(rapier, truncated, TEST_OPTIONS)).toThrow(
      InvalidCommandError,
    );
  });
});
