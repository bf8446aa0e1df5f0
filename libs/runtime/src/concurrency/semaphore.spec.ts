import { Semaphore } from './semaphore';

/** Lets pending promise callbacks run. */
const flushPromises = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

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
