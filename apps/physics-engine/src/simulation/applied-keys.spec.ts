import { AppliedKeys, MAX_APPLIED_KEYS, intentEntityId } from './applied-keys';
import { TEST_OPTIONS, ball, newSimulation } from './test-support';
import { WorldSimulation } from './world-simulation';
import { loadRapier } from './rapier';

describe('AppliedKeys', () => {
  it(`remembers the last ${MAX_APPLIED_KEYS} keys by default, the oldest evicted first`, () => {
    const keys = new AppliedKeys();
    for (let i = 0; i <= MAX_APPLIED_KEYS; i++)
      keys.remember(`k${i}`, { applyTick: i, entityId: 'a' });
    expect(keys.size).toBe(MAX_APPLIED_KEYS);
    expect(keys.get('k0')).toBeUndefined();
    expect(keys.get('k1')).toEqual({ applyTick: 1, entityId: 'a' });
    expect(keys.get(`k${MAX_APPLIED_KEYS}`)).toEqual({
      applyTick: MAX_APPLIED_KEYS,
      entityId: 'a',
    });
  });

  it('learns the keyed intents of a batch, skipping the ones without a key', () => {
    const keys = new AppliedKeys(2);
    keys.learn(
      7,
      [
        { type: 'spawnBody', body: ball('a', 1_000, 1_000) },
        { type: 'removeBody', bodyId: 'b' },
        { type: 'setVelocity', bodyId: 'c', vxMmS: 1 },
      ],
      ['k1', '', 'k3'],
    );
    expect(keys.size).toBe(2);
    expect(keys.get('k1')).toEqual({ applyTick: 7, entityId: 'a' });
    expect(keys.get('k3')).toEqual({ applyTick: 7, entityId: 'c' });
    keys.learn(8, [{ type: 'removeBody', bodyId: 'd' }], undefined);
    expect(keys.size).toBe(2);
    expect(() => new AppliedKeys(0)).toThrow(RangeError);
  });

  it('names the body an intent addresses', () => {
    expect(intentEntityId({ type: 'spawnBody', body: ball('x', 1, 1) })).toBe('x');
    expect(intentEntityId({ type: 'applyImpulse', bodyId: 'y', ixMnS: 1, iyMnS: 0 })).toBe('y');
  });
});

describe('WorldSimulation keys', () => {
  it('knows a key while its intent is queued and after it applied, and logs it with the step', async () => {
    const sim = await newSimulation();
    sim.enqueue({ type: 'spawnBody', body: ball('a', 1_000, 1_000) }, true, 'k1');
    sim.enqueue({ type: 'spawnBody', body: ball('b', 2_000, 1_000) });
    expect(sim.keyed('k1')).toEqual({ applyTick: 1, entityId: 'a', pending: true });
    expect(sim.keyed('k2')).toBeUndefined();
    const hash = sim.stateHash();
    const { keys } = sim.step();
    expect(keys).toEqual(['k1', '']);
    expect(sim.keyed('k1')).toEqual({ applyTick: 1, entityId: 'a', pending: false });
    // A step without keyed intents reports none.
    sim.enqueue({ type: 'removeBody', bodyId: 'b' });
    expect(sim.step().keys).toBeUndefined();
    expect(hash).not.toBe(sim.stateHash());
    sim.free();
  });

  it('keeps keys out of the state: the same intents with or without keys hash the same', async () => {
    const keyed = await newSimulation();
    const plain = await newSimulation();
    keyed.enqueue({ type: 'spawnBody', body: ball('a', 1_000, 1_000) }, true, 'k1');
    plain.enqueue({ type: 'spawnBody', body: ball('a', 1_000, 1_000) });
    expect(keyed.stateHash()).toBe(plain.stateHash());
    keyed.step();
    plain.step();
    expect(keyed.stateHash()).toBe(plain.stateHash());
    // A restored state knows no keys (the log brings them back).
    const restored = WorldSimulation.restore(
      await loadRapier(),
      keyed.snapshot().state,
      TEST_OPTIONS,
    );
    expect(restored.keyed('k1')).toBeUndefined();
    for (const sim of [keyed, plain, restored]) sim.free();
  });

  it('forgets the keys of discarded pending intents and evicts past maxAppliedKeys', async () => {
    const rapier = await loadRapier();
    const sim = await newSimulation();
    sim.enqueue({ type: 'spawnBody', body: ball('a', 1_000, 1_000) }, true, 'k1');
    sim.discardPending();
    expect(sim.keyed('k1')).toBeUndefined();
    const small = WorldSimulation.restore(rapier, sim.snapshot().state, {
      ...TEST_OPTIONS,
      maxAppliedKeys: 2,
    });
    for (const id of ['a', 'b', 'c']) {
      small.enqueue({ type: 'spawnBody', body: ball(id, 1_000, 1_000) }, true, `k-${id}`);
      small.step();
    }
    expect(small.appliedKeyCount).toBe(2);
    expect(small.keyed('k-a')).toBeUndefined();
    expect(small.keyed('k-c')).toMatchObject({ applyTick: 3 });
    sim.free();
    small.free();
  });
});
