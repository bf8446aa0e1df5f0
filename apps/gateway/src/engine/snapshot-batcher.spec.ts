import { SnapshotBatcher } from './snapshot-batcher';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('SnapshotBatcher', () => {
  it('runs one fetch and queues one for everything asked while it runs', async () => {
    const calls: Array<ReturnType<typeof deferred<number>>> = [];
    const batcher = new SnapshotBatcher((_w: string) => {
      const d = deferred<number>();
      calls.push(d);
      return d.promise;
    });
    const first = batcher.get('w');
    const second = batcher.get('w');
    const third = batcher.get('w');
    expect(calls).toHaveLength(1);
    calls[0].resolve(1);
    await expect(first).resolves.toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(2);
    calls[1].resolve(2);
    await expect(second).resolves.toBe(2);
    await expect(third).resolves.toBe(2);
  });

  it('starts a queued fetch even when the running one fails, and forgets idle worlds', async () => {
    let n = 0;
    const batcher = new SnapshotBatcher(async (w: string) => {
      n++;
      if (n === 1) throw new Error('down');
      return `${w}${n}`;
    });
    const first = batcher.get('w');
    const second = batcher.get('w');
    await expect(first).rejects.toThrow('down');
    await expect(second).resolves.toBe('w2');
    await expect(batcher.get('w')).resolves.toBe('w3');
    expect((batcher as unknown as { worlds: Map<string, unknown> }).worlds.size).toBe(0);
  });
});
