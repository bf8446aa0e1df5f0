import { InMemoryBus } from '@anvil/bus';
import { EngineErrorCode, type PhysicsIntent } from '@anvil/engine-contract';
import { ManualClock } from '@anvil/runtime';
import { flakyBus, readLog } from '../testing/bus-test-support';
import { CommandLogWriter, LOG_RETRY_DELAY_MS } from './command-log-writer';

const intent = (bodyId: string): PhysicsIntent => ({ type: 'removeBody', bodyId });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CommandLogWriter', () => {
  it('appends one entry per batch, seq 1, 2, 3… keyed by world, resolving once the bus has it', async () => {
    const bus = new InMemoryBus();
    const writer = new CommandLogWriter(bus, 'w1', { lastSeq: 4 });
    const first = writer.append(3, [intent('a'), intent('b')]);
    const second = writer.append(5, [intent('c')]);
    expect(writer.backlog).toBe(2);
    expect(readLog(bus)).toEqual([]);
    await Promise.all([first, second]);
    expect(readLog(bus).map((e) => [e.worldId, e.seq, e.tick, e.epoch, e.intents.length])).toEqual([
      ['w1', 5, 3, 0, 2],
      ['w1', 6, 5, 0, 1],
    ]);
    expect(writer.stats()).toMatchObject({ loggedSeq: 6, backlog: 0, writable: true });
  });

  it('answers a refused write UNAVAILABLE, turns unwritable, retries until the bus takes it', async () => {
    const clock = new ManualClock();
    const { bus, inner, state } = flakyBus();
    const errors: number[] = [];
    const writer = new CommandLogWriter(bus, 'w1', {
      timers: clock,
      onError: (_e, seq) => errors.push(seq),
    });
    state.down = true;
    const refused = writer.append(1, [intent('a')]);
    await expect(refused).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
    expect(writer.writable).toBe(false);
    // Applied meanwhile (queued before the failure was seen): refused at once, still written.
    const later = writer.append(2, [intent('b')]);
    await expect(later).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
    clock.advance(LOG_RETRY_DELAY_MS.first);
    await settle();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    state.down = false;
    clock.advance(LOG_RETRY_DELAY_MS.first * 2);
    await writer.flush();
    expect(writer.writable).toBe(true);
    expect(readLog(inner).map((e) => [e.seq, e.tick])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    await expect(writer.append(3, [intent('c')])).resolves.toBeUndefined();
  });

  it('gives up on close and says how many entries were not logged', async () => {
    const clock = new ManualClock();
    const { bus, state } = flakyBus();
    const errors: string[] = [];
    const writer = new CommandLogWriter(bus, 'w1', {
      timers: clock,
      onError: (e) => errors.push(String(e)),
    });
    state.down = true;
    await expect(writer.append(1, [intent('a')])).rejects.toThrow(/not writable/);
    await writer.close();
    expect(errors.at(-1)).toMatch(/1 entries not logged/);
    expect(writer.backlog).toBe(0);
  });
});
