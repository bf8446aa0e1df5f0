import { createStorage, type Storage } from '@anvil/storage';
import { awaitTaker, type TakerWaitOptions } from './taker-wait';

// Real replica reports in PGlite; the waits are short real timers.
let storage: Storage;
beforeAll(async () => {
  storage = await createStorage({ url: 'pglite://memory' });
  await storage.migrate();
}, 180_000);
afterAll(() => storage?.close());

let n = 0;
/** A role of its own per test, so reports do not leak between tests. */
const newRole = () => `physics-taker-${++n}`;

function report(role: string, replicaId: string, stateFormat: number, ttlMs = 60_000) {
  return storage.replicas.heartbeat({
    role,
    replicaId,
    address: `${replicaId}:50051`,
    worlds: 1,
    bodies: 1,
    maxWorlds: 10,
    maxBodies: 100,
    stateFormat,
    ttlMs,
  });
}

function wait(role: string, overrides: Partial<TakerWaitOptions> = {}) {
  return awaitTaker({
    replicas: storage.replicas,
    role,
    replicaId: 'draining',
    stateFormat: 2,
    everyMs: 20,
    timeoutMs: 2_000,
    ...overrides,
  });
}

describe('awaitTaker', () => {
  it('does not wait when another live replica reads the format', async () => {
    const role = newRole();
    await report(role, 'draining', 2);
    await report(role, 'older', 1);
    await report(role, 'same', 2);
    const waited: number[] = [];
    await expect(wait(role, { onWait: (newest) => waited.push(newest) })).resolves.toMatchObject({
      outcome: 'reader',
      replicaId: 'same',
      readers: [expect.objectContaining({ replicaId: 'same', stateFormat: 2 })],
    });
    expect(waited).toEqual([]);
  });

  it('does not wait when no other replica is live (its own report does not count)', async () => {
    const role = newRole();
    await report(role, 'draining', 2);
    await expect(wait(role)).resolves.toEqual({ outcome: 'alone' });
  });

  it('waits while only older builds are live, and ends as soon as a reader reports', async () => {
    const role = newRole();
    await report(role, 'older', 1);
    const waited: number[] = [];
    const waiting = wait(role, { onWait: (newest) => waited.push(newest) });
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settled).toBe(false);
    expect(waited).toEqual([1]);
    await report(role, 'newer', 3);
    await expect(waiting).resolves.toMatchObject({
      outcome: 'reader',
      replicaId: 'newer',
      readers: [expect.objectContaining({ replicaId: 'newer' })],
    });
    expect(waited).toEqual([1]);
  });

  it('gives up at its deadline, saying what the others read', async () => {
    const role = newRole();
    await report(role, 'older', 1);
    let reads = 0;
    const replicas = { live: (r: string) => (reads++, storage.replicas.live(r)) };
    await expect(wait(role, { replicas, timeoutMs: 100 })).resolves.toEqual({
      outcome: 'timeout',
      newest: 1,
    });
    // Read at once, then after each of the 100 / 20 = 5 waits of its deadline.
    expect(reads).toBe(6);
  });

  it('does not count a replica whose report expired', async () => {
    const role = newRole();
    await report(role, 'gone', 2, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(wait(role)).resolves.toEqual({ outcome: 'alone' });
  });

  it('hands over at once when the reports cannot be read', async () => {
    const error = new Error('store down');
    const replicas = { live: () => Promise.reject(error) };
    await expect(wait(newRole(), { replicas })).resolves.toEqual({ outcome: 'unknown', error });
  });
});
