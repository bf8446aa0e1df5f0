import { WorkQueue } from './work-queue';

const options = (onFailure = jest.fn()) => ({
  concurrency: 2,
  attempts: 3,
  retryDelayMs: 1,
  retryable: (e: unknown) => (e as Error).message === 'busy',
  onFailure,
});

describe('WorkQueue', () => {
  it('never runs more jobs than its concurrency, and drains', async () => {
    const queue = new WorkQueue(options());
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      queue.push(`job ${i}`, async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      });
    }
    await expect(queue.drain(5_000)).resolves.toBe(true);
    expect(peak).toBe(2);
    expect(queue.size).toBe(0);
  });

  it('retries retryable failures, and reports final ones', async () => {
    const onFailure = jest.fn();
    const queue = new WorkQueue(options(onFailure));
    let calls = 0;
    queue.push('flaky', async () => {
      if (++calls < 3) throw new Error('busy');
    });
    queue.push('broken', async () => {
      throw new Error('no');
    });
    await queue.drain(5_000);
    expect(calls).toBe(3);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ message: 'no' }), 'broken');
  });

  it('says when draining timed out', async () => {
    const queue = new WorkQueue(options());
    queue.push('slow', () => new Promise((r) => setTimeout(r, 200)));
    await expect(queue.drain(10)).resolves.toBe(false);
  });
});
