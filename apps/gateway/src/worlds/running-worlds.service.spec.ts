// RunningWorldsService, the one owner of "the engine does not run this world", with the real
// world registry on in-memory storage and a fake interaction engine.
import {
  EngineUnavailableError,
  InvalidCommandError,
  WorldNotFoundError,
} from '@anvil/engine-contract';
import type { Storage } from '@anvil/storage';
import { fromEngineError } from '../engine/engine-errors';
import { traceFrom } from '../engine/trace';
import { ErrorCode } from '../errors/error-codes';
import { memoryStorage, registerWorld } from '../testing/gateway';
import { gatewayServices, type GatewayServices } from '../testing/services';

// In-memory PGlite starts in seconds on a busy machine.
jest.setTimeout(60_000);

describe('RunningWorldsService', () => {
  let storage: Storage;
  let gw: GatewayServices;
  const trace = traceFrom();

  beforeAll(async () => {
    storage = await memoryStorage();
    await registerWorld(storage, 'arena');
    await registerWorld(storage, 'building', 'Pending');
  });
  afterAll(() => storage.close());
  beforeEach(
    async () => (gw = await gatewayServices(storage, { ENGINE_RELOCATE_DEADLINE_MS: '300' })),
  );
  afterEach(() => gw.close());

  const snapshot = (worldId: string) => () => gw.engine.snapshot(worldId);

  it('calls once when the engine runs the world', async () => {
    gw.engine.running('arena');
    await expect(gw.running.call('arena', trace, snapshot('arena'))).resolves.toMatchObject({
      worldId: 'arena',
    });
    expect(gw.engine.callsOf('start')).toEqual([]);
  });

  it('starts a world the engine does not run, restores, then calls again', async () => {
    const order: string[] = [];
    const result = await gw.running.call('arena', trace, snapshot('arena'), async () => {
      order.push(`restore after ${gw.engine.callsOf('start').length} start`);
    });
    expect(result).toMatchObject({ worldId: 'arena' });
    expect(order).toEqual(['restore after 1 start']);
    expect(gw.engine.calls.map((c) => c.method)).toEqual(['snapshot', 'start', 'snapshot']);
  });

  it('gives a second failure to the caller: it starts once, never loops', async () => {
    let calls = 0;
    const lost = async () => {
      calls++;
      throw fromEngineError(new WorldNotFoundError('arena'), 'arena');
    };
    await expect(gw.running.call('arena', trace, lost)).rejects.toMatchObject({
      code: ErrorCode.WorldNotReady,
    });
    expect(calls).toBe(2);
    expect(gw.engine.callsOf('start')).toHaveLength(1);
  });

  it('does not start a world the registry does not call ready', async () => {
    await expect(gw.running.call('building', trace, snapshot('building'))).rejects.toMatchObject({
      code: ErrorCode.WorldNotReady,
      message: expect.stringMatching(/Pending/),
    });
    await expect(gw.running.call('nowhere', trace, snapshot('nowhere'))).rejects.toMatchObject({
      code: ErrorCode.WorldNotFound,
    });
    expect(gw.engine.callsOf('start')).toEqual([]);
  });

  it('does not start a world retired since the registry was last read', async () => {
    await registerWorld(storage, 'retiring');
    await gw.registry.requireReady('retiring'); // cached as Ready
    await storage.worlds.setPhase('retiring', 'Terminating');
    await expect(gw.running.call('retiring', trace, snapshot('retiring'))).rejects.toMatchObject({
      code: ErrorCode.WorldNotReady,
      message: expect.stringMatching(/Terminating/),
    });
    expect(gw.engine.callsOf('start')).toEqual([]);
  });

  it('passes other failures on untouched', async () => {
    gw.engine.running('arena');
    gw.engine.failures.push(new InvalidCommandError('no such target'));
    await expect(gw.running.call('arena', trace, snapshot('arena'))).rejects.toMatchObject({
      code: ErrorCode.EngineRejected,
    });
    expect(gw.engine.callsOf('start')).toEqual([]);
  });

  it('finds the world again when its engine is gone (Init where it runs now), and calls once more without restoring what the new owner kept', async () => {
    gw.engine.running('arena');
    gw.engine.failures.push(new EngineUnavailableError('connect ECONNREFUSED'));
    let restored = 0;
    const result = await gw.running.call('arena', trace, snapshot('arena'), async () => {
      restored++;
    });
    expect(result).toMatchObject({ worldId: 'arena' });
    expect(gw.engine.callsOf('start')).toHaveLength(1);
    // No live lease names a replica: asked at the module's address.
    expect(gw.engine.starts).toEqual(['fake-engine:1']);
    expect(restored).toBe(0);
  });

  it('restores what the engine lost when the world had to be started afresh after its engine went', async () => {
    gw.engine.failures.push(new EngineUnavailableError('connect ECONNREFUSED'));
    let restored = 0;
    await gw.running.call('arena', trace, snapshot('arena'), async () => {
      restored++;
    });
    expect(restored).toBe(1);
  });

  it('finds the world again when the call fails UNAVAILABLE once more after it was found (the new owner was still taking it over)', async () => {
    gw.engine.running('arena');
    let calls = 0;
    const flaky = async () => {
      if (++calls <= 2) throw fromEngineError(new EngineUnavailableError('taking over'), 'arena');
      return 'applied';
    };
    await expect(gw.running.call('arena', trace, flaky)).resolves.toBe('applied');
    expect(calls).toBe(3);
    expect(gw.engine.callsOf('start')).toHaveLength(2);
  });

  it('finds the world again when putting back what it lost fails UNAVAILABLE, and puts it back there', async () => {
    gw.engine.failures.push(new EngineUnavailableError('connect ECONNREFUSED'));
    let restores = 0;
    const result = await gw.running.call('arena', trace, snapshot('arena'), async () => {
      if (++restores === 1)
        throw fromEngineError(new EngineUnavailableError('the new owner is busy'), 'arena');
    });
    expect(result).toMatchObject({ worldId: 'arena' });
    expect(restores).toBe(2);
    expect(gw.engine.callsOf('start')).toHaveLength(2);
  });

  it('gives an UNAVAILABLE call to the caller once ENGINE_RELOCATE_DEADLINE_MS passed since its first failure, even when the world is found each time', async () => {
    gw.engine.running('arena');
    let calls = 0;
    const down = async () => {
      calls++;
      throw fromEngineError(new EngineUnavailableError('taking over'), 'arena');
    };
    await expect(gw.running.call('arena', trace, down)).rejects.toMatchObject({
      code: ErrorCode.EngineUnavailable,
    });
    expect(calls).toBeGreaterThan(2);
  });

  it('keeps trying to find the world while its engine is unavailable, and gives up after ENGINE_RELOCATE_DEADLINE_MS', async () => {
    gw.engine.running('arena');
    for (let i = 0; i < 50; i++)
      gw.engine.failures.push(new EngineUnavailableError('connect ECONNREFUSED'));
    await expect(gw.running.call('arena', trace, snapshot('arena'))).rejects.toMatchObject({
      code: ErrorCode.EngineUnavailable,
    });
    expect(gw.engine.callsOf('start').length).toBeGreaterThan(1);
    // It gave up at its deadline, not when the engine stopped failing.
    expect(gw.engine.failures.length).toBeGreaterThan(0);
  });
});
