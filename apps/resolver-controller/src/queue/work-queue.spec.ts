import { FailureBackoff, backoffDelay, jittered } from './backoff';
import { WorkQueue, type HandlerOutcome } from './work-queue';
import { ManualClock, flushPromises } from '../testing/manual-clock';

/** A handler whose calls the test finishes by hand. */
function controllable() {
  const calls: Array<{ key: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  const handler = (key: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ key, resolve, reject });
    });
  return { calls, handler };
}

function queueWith(
  handler: (key: string) => Promise<unknown>,
  concurrency = 2,
  clock = new ManualClock(),
) {
  const outcomes: Array<[string, HandlerOutcome]> = [];
  const queue = new WorkQueue({
    handler: handler as never,
    concurrency,
    timers: clock,
    now: () => clock.now(),
    backoff: new FailureBackoff({ baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0.5 }, () => 0.5),
    isTerminal: (e) => e instanceof TypeError,
    hooks: { onDone: (key, outcome) => outcomes.push([key, outcome]) },
  });
  return { queue, clock, outcomes };
}

describe('WorkQueue', () => {
  it('deduplicates keys that are queued several times', async () => {
    const seen: string[] = [];
    const { queue } = queueWith(async (key) => void seen.push(key));
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    expect(queue.depth).toBe(2);
    queue.start();
    await flushPromises();
    expect(seen).toEqual(['ns/a', 'ns/b']);
  });

  it('never processes one key twice at a time, and reruns it once if it was added meanwhile', async () => {
    const { calls, handler } = controllable();
    const { queue } = queueWith(handler, 4);
    queue.start();
    queue.add('ns/a');
    await flushPromises();
    queue.add('ns/a');
    queue.add('ns/a');
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['ns/a']);
    calls[0].resolve();
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['ns/a', 'ns/a']);
    calls[1].resolve();
    await flushPromises();
    expect(calls).toHaveLength(2);
  });

  it('runs at most `concurrency` keys at once', async () => {
    const { calls, handler } = controllable();
    const { queue } = queueWith(handler, 2);
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    queue.start();
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['a', 'b']);
    expect(queue.activeCount).toBe(2);
    calls[0].resolve();
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['a', 'b', 'c']);
  });

  it('retries a failing key with growing, bounded delays: no hot loop', async () => {
    let attempts = 0;
    const { queue, clock, outcomes } = queueWith(async () => {
      attempts++;
      throw new Error('permanent');
    });
    queue.add('ns/broken');
    queue.start();
    await flushPromises();
    expect(attempts).toBe(1);
    // jitter 0.5 with random 0.5 takes a quarter off: 75, 150, 300, 600, 750, 750 ...
    const expected = [75, 150, 300, 600, 750, 750];
    for (const delay of expected) {
      expect(clock.pendingDelays()).toEqual([delay]);
      const before = attempts;
      await clock.advance(delay - 1);
      expect(attempts).toBe(before);
      await clock.advance(1);
      expect(attempts).toBe(before + 1);
    }
    await clock.advance(10_000);
    expect(attempts).toBeLessThanOrEqual(expected.length + 1 + Math.ceil(10_000 / 500));
    expect(outcomes.every(([, o]) => o === 'error')).toBe(true);
  });

  it('forgets the failures of a key once it succeeds', async () => {
    let fail = 3;
    const { queue, clock } = queueWith(async () => {
      if (fail-- > 0) throw new Error('transient');
    });
    queue.add('k');
    queue.start();
    await clock.advance(2_000);
    expect(queue.failures('k')).toBe(0);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('does not retry a terminal error', async () => {
    let attempts = 0;
    const { queue, clock, outcomes } = queueWith(async () => {
      attempts++;
      throw new TypeError('bad input');
    });
    queue.add('k');
    queue.start();
    await clock.advance(60_000);
    expect(attempts).toBe(1);
    expect(outcomes).toEqual([['k', 'terminal']]);
  });

  it('requeues after the time a handler asks for, without counting a failure', async () => {
    let runs = 0;
    const { queue, clock } = queueWith(async () =>
      ++runs === 1 ? { requeueAfterMs: 500 } : undefined,
    );
    queue.add('k');
    queue.start();
    await clock.advance(499);
    expect(runs).toBe(1);
    await clock.advance(1);
    expect(runs).toBe(2);
    expect(queue.failures('k')).toBe(0);
  });

  it('keeps the earliest of two delayed adds, and an immediate add replaces a delayed one', async () => {
    const seen: string[] = [];
    const { queue, clock } = queueWith(async (key) => void seen.push(key));
    queue.start();
    queue.addAfter('k', 1_000);
    queue.addAfter('k', 300);
    queue.addAfter('k', 2_000);
    expect(clock.pendingDelays()).toEqual([300]);
    queue.add('k');
    expect(clock.pendingDelays()).toEqual([]);
    await clock.advance(5_000);
    expect(seen).toEqual(['k']);
  });

  it('stop pauses the workers but keeps the keys; start resumes', async () => {
    const { calls, handler } = controllable();
    const { queue } = queueWith(handler, 1);
    queue.start();
    queue.add('a');
    queue.add('b');
    await flushPromises();
    const stopped = queue.stop();
    calls[0].resolve();
    await stopped;
    expect(calls.map((c) => c.key)).toEqual(['a']);
    expect(queue.depth).toBe(1);
    queue.start();
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['a', 'b']);
  });

  it('rejects a concurrency below 1', () => {
    expect(() => new WorkQueue({ handler: async () => undefined, concurrency: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('backoff', () => {
  it.each([
    [1, 100],
    [2, 200],
    [4, 800],
    [5, 1_000],
    [60, 1_000],
    [10_000, 1_000],
  ])('after %i failures waits %i ms before jitter', (failures, delay) => {
    expect(backoffDelay(failures, { baseDelayMs: 100, maxDelayMs: 1_000 })).toBe(delay);
  });

  it('keeps the jittered delay within [d * (1 - jitter), d]', () => {
    for (const r of [0, 0.25, 0.5, 0.999, 1]) {
      const d = jittered(800, 0.5, () => r);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  it('spreads the retries of keys that fail together', () => {
    const values = [0.1, 0.9, 0.5];
    const backoff = new FailureBackoff(
      { baseDelayMs: 1_000, maxDelayMs: 10_000, jitter: 0.5 },
      () => values.shift() as number,
    );
    expect(new Set([backoff.next('a'), backoff.next('b'), backoff.next('c')]).size).toBe(3);
  });

  it('refuses nonsense settings', () => {
    expect(() => new FailureBackoff({ baseDelayMs: 0, maxDelayMs: 10, jitter: 0 })).toThrow(
      RangeError,
    );
    expect(() => new FailureBackoff({ baseDelayMs: 10, maxDelayMs: 5, jitter: 0 })).toThrow(
      RangeError,
    );
    expect(() => new FailureBackoff({ baseDelayMs: 10, maxDelayMs: 50, jitter: 2 })).toThrow(
      RangeError,
    );
  });
});
