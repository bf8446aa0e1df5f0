import { Batcher } from './batcher';

/** A batcher whose batches the test answers by hand, each input doubled. */
function heldBatcher(max = 100) {
  const batches: Array<{ inputs: number[]; answer: () => void; fail: (error: Error) => void }> = [];
  const batcher = new Batcher<number, number>(
    (inputs) =>
      new Promise((resolve, reject) =>
        batches.push({
          inputs,
          answer: () => resolve(inputs.map((i) => i * 2)),
          fail: reject,
        }),
      ),
    (input) => String(input % 10),
    max,
  );
  return { batcher, batches };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('sends a request at once, and those made meanwhile together after it', async () => {
    const { batcher, batches } = heldBatcher();
    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((i) => batcher.submit(i));
    await settle();
    expect(batches.map((b) => b.inputs)).toEqual([[1]]);
    batches[0].answer();
    expect(await first).toBe(2);
    await settle();
    expect(batches.map((b) => b.inputs)).toEqual([[1], [2, 3, 4]]);
    batches[1].answer();
    expect(await Promise.all(rest)).toEqual([4, 6, 8]);
  });

  it('puts a second request of a key, and those past the largest batch, in a later batch', async () => {
    const { batcher, batches } = heldBatcher(2);
    const answers = [1, 2, 12, 3].map((i) => batcher.submit(i)); // 12 has the key of 2
    for (let i = 0; i < 3; i++) {
      await settle();
      batches[i].answer();
    }
    expect(await Promise.all(answers)).toEqual([2, 4, 24, 6]);
    expect(batches.map((b) => b.inputs)).toEqual([[1], [2, 3], [12]]);
  });

  it('fails the requests of a failed batch, and goes on with the next', async () => {
    const { batcher, batches } = heldBatcher();
    const first = batcher.submit(1);
    const second = batcher.submit(2);
    await settle();
    batches[0].fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await settle();
    batches[1].answer();
    expect(await second).toBe(4);
  });
});
