/**
 * Runs requests in batches: a request made while no batch is on its way goes at once, alone;
 * those made while one is on its way go together in the next, at most `max` per batch and one
 * per key (a second request of a key waits for the batch after). Each request is answered from
 * its batch's result, or fails with its batch.
 */
export class Batcher<I, O> {
  private queue: Array<{
    input: I;
    resolve: (output: O) => void;
    reject: (error: unknown) => void;
  }> = [];
  private running = false;

  constructor(
    /** Runs one batch; answers one output per input, in order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly keyOf: (input: I) => string,
    private readonly max: number,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.queue.length === 0) return;
    const batch: typeof this.queue = [];
    const later: typeof this.queue = [];
    const keys = new Set<string>();
    for (const request of this.queue) {
      const key = this.keyOf(request.input);
      if (batch.length >= this.max || keys.has(key)) later.push(request);
      else {
        keys.add(key);
        batch.push(request);
      }
    }
    this.queue = later;
    this.running = true;
    void this.runBatch(batch).finally(() => {
      this.running = false;
      this.next();
    });
  }

  private async runBatch(batch: typeof this.queue): Promise<void> {
    try {
      const outputs = await this.run(batch.map((request) => request.input));
      batch.forEach((request, i) => request.resolve(outputs[i]));
    } catch (error) {
      for (const request of batch) request.reject(error);
    }
  }
}
