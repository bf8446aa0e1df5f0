import { flushPromises } from '../testing/manual-clock';
import type { ClusterWriter } from './cluster-writer';
import { LimitedWriter, Semaphore } from './limited-writer';

describe('Semaphore', () => {
  it('lets at most `limit` tasks run, the rest in order', async () => {
    const semaphore = new Semaphore(2);
    const release: Array<() => void> = [];
    const started: number[] = [];
    const tasks = [1, 2, 3, 4].map((i) =>
      semaphore.run(() => new Promise<void>((resolve) => (started.push(i), release.push(resolve)))),
    );
    await flushPromises();
    expect(started).toEqual([1, 2]);
    expect(semaphore.queued).toBe(2);
    release[0]();
    await flushPromises();
    expect(started).toEqual([1, 2, 3]);
    release[1]();
    release[2]();
    await flushPromises();
    release[3]();
    await Promise.all(tasks);
    expect(semaphore.inUse).toBe(0);
  });

  it('gives a free slot to the foreground before the background, each in order', async () => {
    const semaphore = new Semaphore(1);
    const started: string[] = [];
    let release!: () => void;
    const holding = semaphore.run(
      () => new Promise<void>((resolve) => (started.push('held'), (release = resolve))),
    );
    const run = (name: string, background: boolean) =>
      semaphore.run(async () => void started.push(name), background);
    const rest = [
      run('event 1', true),
      run('apply 1', false),
      run('event 2', true),
      run('apply 2', false),
    ];
    await flushPromises();
    expect(semaphore.queued).toBe(4);
    release();
    await Promise.all([holding, ...rest]);
    expect(started).toEqual(['held', 'apply 1', 'apply 2', 'event 1', 'event 2']);
  });

  it('frees the slot when a task fails', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(semaphore.run(async () => 'yes')).resolves.toBe('yes');
  });

  it('refuses a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('LimitedWriter', () => {
  it('caps the writes in flight across callers', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = async () => {
      peak = Math.max(peak, ++inFlight);
      await flushPromises(2);
      inFlight--;
      return { metadata: { name: 'x' } };
    };
    const inner = {
      applyBinding: slow,
      applyWorldStatus: slow,
      deleteBinding: async () => void (await slow()),
      recordEvent: async () => void (await slow()),
    } as unknown as ClusterWriter;
    const writer = new LimitedWriter(inner, 3);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? writer.applyBinding({} as never) : writer.deleteBinding('ns', `b${i}`),
      ),
    );
    expect(peak).toBe(3);
  });

  it("lets Events wait behind the reconciles' writes", async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const written = (name: string) => async () => {
      order.push(name);
      if (name === 'apply') await held;
      return { metadata: { name } };
    };
    const inner = {
      applyBinding: written('apply'),
      applyWorldStatus: written('status'),
      recordEvent: async () => void order.push('event'),
    } as unknown as ClusterWriter;
    const writer = new LimitedWriter(inner, 1);
    const writes = [
      writer.applyBinding({} as never),
      writer.recordEvent({} as never, {} as never),
      writer.applyWorldStatus({} as never, {} as never),
    ];
    await flushPromises();
    release();
    await Promise.all(writes);
    expect(order).toEqual(['apply', 'status', 'event']);
  });
});
