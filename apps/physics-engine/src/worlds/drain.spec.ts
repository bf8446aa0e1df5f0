import { InMemoryBus } from '@anvil/bus';
import { EngineErrorCode } from '@anvil/engine-contract';
import { ManualClock } from '@anvil/runtime';
import { loadPhysicsConfig } from '../config/physics-config';
import { loadRapier } from '../simulation/rapier';
import { ball } from '../simulation/test-support';
import { WorldsService } from './worlds.service';

const HZ = 50;

describe('a drain', () => {
  it('keeps its worlds running until its wait before the handover ends, and refuses new ones meanwhile', async () => {
    const clock = new ManualClock();
    const worlds = new WorldsService({
      rapier: await loadRapier(),
      bus: new InMemoryBus(),
      config: loadPhysicsConfig({
        ENGINE_TOKEN: 'drain-test-engine-token',
        TICK_MODE: 'auto',
        TICK_HZ: String(HZ),
      }),
      clock,
      timers: clock,
    });
    await worlds.init('w', undefined);
    let endWait!: () => void;
    const waiting = new Promise<void>((resolve) => (endWait = resolve));
    let waitStarted = false;
    const closing = worlds.closeAll(() => ((waitStarted = true), waiting));
    await new Promise((resolve) => setImmediate(resolve));
    expect(waitStarted).toBe(true);

    // Still played: a command applies at the next tick.
    const applied = worlds.apply('w', { type: 'spawnBody', body: ball('a', 2_000, 2_000) });
    clock.advance(1000 / HZ);
    await expect(applied).resolves.toMatchObject({ entityId: 'a' });
    expect(worlds.get('w').sim.tick).toBe(1);
    await expect(worlds.init('x', undefined)).rejects.toMatchObject({
      code: EngineErrorCode.Unavailable,
    });

    endWait();
    await closing;
    expect(worlds.size).toBe(0);
  });
});
