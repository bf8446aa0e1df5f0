import { ManualClock } from '@anvil/runtime';
import { TickLoop } from './tick-loop';

describe('TickLoop', () => {
  const setup = (hz = 50, maxCatchUpSteps = 3) => {
    const clock = new ManualClock();
    const stepTimes: number[] = [];
    const loop = new TickLoop(() => stepTimes.push(clock.now()), {
      hz,
      maxCatchUpSteps,
      clock,
      timers: clock,
    });
    return { clock, loop, stepTimes };
  };

  it('steps at a fixed rate without drifting', () => {
    const { clock, loop, stepTimes } = setup(50);
    loop.start();
    clock.advance(1_000);
    expect(stepTimes).toHaveLength(50);
    expect(stepTimes[0]).toBe(20);
    expect(stepTimes[49]).toBe(1_000);
    clock.advance(9_000);
    expect(loop.stats()).toEqual({ steps: 500, droppedSteps: 0, lagEvents: 0 });
  });

  it('catches up after a short stall, keeping the original schedule', () => {
    const { clock, loop, stepTimes } = setup(50, 3);
    loop.start();
    clock.advance(20);
    clock.setNow(65); // the event loop stalled: steps due at 40 and 60 are late
    clock.fireDue();
    expect(stepTimes).toEqual([20, 65, 65]);
    clock.advance(15); // back on the 20 ms grid: next step at 80
    expect(stepTimes).toEqual([20, 65, 65, 80]);
    expect(loop.stats().droppedSteps).toBe(0);
  });

  it('drops and counts steps beyond the catch-up limit', () => {
    const { clock, loop, stepTimes } = setup(50, 3);
    loop.start();
    clock.setNow(1_010); // 50 steps due
    clock.fireDue();
    expect(stepTimes).toHaveLength(3);
    expect(loop.stats()).toEqual({ steps: 3, droppedSteps: 47, lagEvents: 1 });
    clock.advance(30); // grid continues at 1_020, 1_040
    expect(stepTimes.slice(3)).toEqual([1_020, 1_040]);
  });

  it('reports lag and stops on a failing step instead of throwing into the event loop', () => {
    const clock = new ManualClock();
    const lags: number[] = [];
    const errors: unknown[] = [];
    let steps = 0;
    const loop = new TickLoop(
      () => {
        if (++steps === 3) throw new Error('boom');
      },
      {
        hz: 10,
        maxCatchUpSteps: 1,
        clock,
        timers: clock,
        onLag: (n) => lags.push(n),
        onError: (e) => errors.push(e),
      },
    );
    loop.start();
    clock.setNow(250);
    clock.fireDue();
    expect(lags).toEqual([1]);
    expect(() => clock.advance(1_000)).not.toThrow();
    expect(errors).toEqual([new Error('boom')]);
    expect(clock.pending).toBe(0);
  });

  it('steps now on demand, outside the schedule, and stops (no throw) when that step fails', () => {
    const { clock, loop, stepTimes } = setup(50);
    loop.stepNow(); // not running: nothing
    loop.start();
    clock.advance(5);
    loop.stepNow();
    clock.advance(35);
    expect(stepTimes).toEqual([5, 20, 40]);
    expect(loop.stats().steps).toBe(3);

    const errors: unknown[] = [];
    const failing = new TickLoop(
      () => {
        throw new Error('boom');
      },
      { hz: 50, maxCatchUpSteps: 1, clock, timers: clock, onError: (e) => errors.push(e) },
    );
    failing.start();
    expect(() => failing.stepNow()).not.toThrow();
    expect(errors).toEqual([new Error('boom')]);
    loop.stop();
    expect(clock.pending).toBe(0);
  });

  it('stops without leaving a timer', () => {
    const { clock, loop, stepTimes } = setup();
    loop.start();
    clock.advance(100);
    loop.stop();
    expect(clock.pending).toBe(0);
    clock.advance(100);
    expect(stepTimes).toHaveLength(5);
  });
});
