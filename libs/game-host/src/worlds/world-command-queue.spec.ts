import { EngineBusyError, WorldNotFoundError, type PlayerCommand } from '@anvil/engine-contract';
import { WorldCommandQueue, type QueuedCommand } from './world-command-queue';

const move = (playerId: string): PlayerCommand => ({ type: 'move', playerId, dx: 1, dy: 0 });
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('WorldCommandQueue', () => {
  /** A queue whose batches wait until the test answers them. */
  function queue(limit: number) {
    const batches: QueuedCommand[][] = [];
    const q = new WorldCommandQueue('w', limit, async (batch) => void batches.push(batch));
    return { q, batches };
  }

  it('runs the commands of one turn as one batch, in arrival order', async () => {
    const { q, batches } = queue(10);
    const answers = ['a', 'b', 'c'].map((p) => q.submit(move(p)));
    await turn();
    expect(batches).toHaveLength(1);
    expect(batches[0].map((c) => c.command.playerId)).toEqual(['a', 'b', 'c']);
    batches[0].forEach((c, i) => c.resolve({ applyTick: 5, entityId: String(i) }));
    await expect(Promise.all(answers)).resolves.toHaveLength(3);
    expect(q.size).toBe(0);
  });

  it('refuses BUSY past its limit, counting commands in flight, and takes commands again once answered', async () => {
    const { q, batches } = queue(2);
    const first = [q.submit(move('a')), q.submit(move('b'))];
    await expect(q.submit(move('c'))).rejects.toBeInstanceOf(EngineBusyError);
    await turn();
    await expect(q.submit(move('c'))).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    batches[0].forEach((c) => c.resolve({ applyTick: 1, entityId: '' }));
    await Promise.all(first);
    const later = q.submit(move('c'));
    await turn();
    batches[1][0].resolve({ applyTick: 2, entityId: '' });
    await expect(later).resolves.toEqual({ applyTick: 2, entityId: '' });
  });

  it('a batch that fails as a whole rejects what it had not answered, and counts each once', async () => {
    let fail!: (error: Error) => void;
    const q = new WorldCommandQueue('w', 5, (batch) => {
      batch[0].resolve({ applyTick: 1, entityId: '' });
      return new Promise((_, reject) => (fail = reject));
    });
    const [a, b] = [q.submit(move('a')), q.submit(move('b'))];
    await turn();
    fail(new Error('physics went away'));
    await expect(a).resolves.toEqual({ applyTick: 1, entityId: '' });
    await expect(b).rejects.toThrow('physics went away');
    expect(q.size).toBe(0);
  });

  it('answers a repeated idempotency key with the first answer, without queueing it again', async () => {
    const { q, batches } = queue(10);
    const first = q.submit(move('a'), '', 'k1');
    const again = q.submit(move('a'), '', 'k1');
    expect(again).toBe(first);
    await turn();
    expect(batches[0].map((c) => c.idempotencyKey)).toEqual(['k1']);
    batches[0][0].resolve({ applyTick: 7, entityId: 'p:a' });
    await expect(q.submit(move('a'), '', 'k1')).resolves.toEqual({ applyTick: 7, entityId: 'p:a' });
    await turn();
    expect(batches).toHaveLength(1);
    expect(q.size).toBe(0);
  });

  it('forgets a refused key, and the oldest past its bound', async () => {
    const batches: QueuedCommand[][] = [];
    const q = new WorldCommandQueue('w', 10, async (batch) => void batches.push(batch), 2);
    const refused = q.submit(move('a'), '', 'k0');
    await turn();
    batches[0][0].reject(new Error('refused'));
    await expect(refused).rejects.toThrow('refused');
    const retried = q.submit(move('a'), '', 'k0');
    await turn();
    expect(batches).toHaveLength(2);
    batches[1][0].resolve({ applyTick: 1, entityId: '' });
    await retried;
    for (const key of ['k1', 'k2']) {
      const answer = q.submit(move('a'), '', key);
      await turn();
      batches.at(-1)![0].resolve({ applyTick: 2, entityId: '' });
      await answer;
    }
    // k0 is the oldest of three: forgotten, so it is queued again; k2 is still remembered.
    void q.submit(move('a'), '', 'k0');
    void q.submit(move('a'), '', 'k2');
    await turn();
    expect(batches).toHaveLength(5);
    expect(batches[4].map((c) => c.idempotencyKey)).toEqual(['k0']);
  });

  it('close refuses the commands still waiting and waits for the batch in flight', async () => {
    let finish!: () => void;
    const q = new WorldCommandQueue('w', 10, (batch) => {
      batch[0].resolve({ applyTick: 3, entityId: '' });
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const inFlight = q.submit(move('a'));
    await turn();
    const waiting = q.submit(move('b'));
    let closed = false;
    const closing = q.close(new WorldNotFoundError('w')).then(() => (closed = true));
    await expect(waiting).rejects.toBeInstanceOf(WorldNotFoundError);
    await expect(inFlight).resolves.toMatchObject({ applyTick: 3 });
    await turn();
    expect(closed).toBe(false);
    finish();
    await closing;
    expect(closed).toBe(true);
  });
});
