import { PublishQueue, type QueuedRecord } from './publish-queue';

function recordingQueue(maxBatchBytes = 1_000_000, fail?: (call: number) => boolean) {
  const calls: QueuedRecord[][] = [];
  let release: (() => void) | undefined;
  const queue = new PublishQueue(async (records) => {
    calls.push(records);
    if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
    if (fail?.(calls.length)) throw new Error(`send ${calls.length} failed`);
  }, maxBatchBytes);
  return { queue, calls, releaseFirst: () => release?.() };
}

const values = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('PublishQueue', () => {
  it('sends calls made in one turn together, and calls made during a send in the next request, in order', async () => {
    const { queue, calls, releaseFirst } = recordingQueue();
    const first = [
      queue.enqueue('t', 'a', ['a0']),
      queue.enqueue('t', 'b', ['b0']),
      queue.enqueue('u', 'a', ['a1']),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    const later = [queue.enqueue('t', 'a', ['a2', 'a3']), queue.enqueue('t', 'b', ['b1'])];
    releaseFirst();
    await Promise.all([...first, ...later]);
    expect(calls.map((records) => records.map((r) => `${r.topic}/${r.key}/${r.value}`))).toEqual([
      ['t/a/a0', 't/b/b0', 'u/a/a1'],
      ['t/a/a2', 't/a/a3', 't/b/b1'],
    ]);
  });

  it('splits a call larger than maxBatchBytes over several requests, keeping order', async () => {
    const { queue, calls, releaseFirst } = recordingQueue(1_024);
    const done = queue.enqueue('t', 'k', values(40, 'x'.repeat(100)));
    await new Promise((resolve) => setImmediate(resolve));
    releaseFirst();
    await done;
    expect(calls.length).toBeGreaterThan(4);
    expect(calls.flat().map((r) => r.value)).toEqual(values(40, 'x'.repeat(100)));
    expect(calls.every((records) => records.length * (100 + 3 + 1 + 64) <= 1_024)).toBe(true);
  });

  it('rejects only the calls of a failed request', async () => {
    const { queue, releaseFirst } = recordingQueue(1_000_000, (call) => call === 2);
    const first = queue.enqueue('t', 'a', ['1']);
    await new Promise((resolve) => setImmediate(resolve));
    const second = queue.enqueue('t', 'a', ['2']);
    releaseFirst();
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow('send 2 failed');
    await expect(queue.enqueue('t', 'a', ['3'])).resolves.toBeUndefined();
  });

  it('drains everything queued, including what is queued while draining', async () => {
    const { queue, calls, releaseFirst } = recordingQueue();
    void queue.enqueue('t', 'a', ['1']);
    const drained = queue.drain();
    await new Promise((resolve) => setImmediate(resolve));
    void queue.enqueue('t', 'a', ['2']);
    releaseFirst();
    await drained;
    expect(calls.flat().map((r) => r.value)).toEqual(['1', '2']);
    await queue.drain();
  });
});
