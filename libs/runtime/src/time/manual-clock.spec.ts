import { sleep } from './clock';
import { ManualClock } from './manual-clock';

describe('ManualClock', () => {
  it('fires due timers in time order, then scheduling order, as time advances', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 5);
    clock.clearTimeout(cancelled);
    expect(clock.pendingDelays()).toEqual([10, 20, 20]);
    clock.advance(15);
    expect(fired).toEqual(['a@110']);
    clock.advance(100);
    expect(fired).toEqual(['a@110', 'b@120', 'c@120']);
    expect(clock.now()).toBe(215);
    expect(clock.pending).toBe(0);
  });

  it('jumps without firing, and fires what is due on request', () => {
    const clock = new ManualClock();
    const fired = jest.fn();
    clock.setTimeout(fired, 10);
    clock.setNow(50);
    expect(fired).not.toHaveBeenCalled();
    clock.fireDue();
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('drives sleep, which an abort ends early', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const done = jest.fn();
    void sleep(clock, 1_000, controller.signal).then(done);
    controller.abort();
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toHaveBeenCalled();
    expect(clock.pending).toBe(0);
  });
});
