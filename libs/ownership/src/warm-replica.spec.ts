import { createStorage, StorageClosedError, type Storage } from '@anvil/storage';
import { REPLICA_WARM_CONNECTIONS, warmReplica } from './warm-replica';

describe('warmReplica', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
  });
  afterAll(() => storage.close());
  const log = () => ({ log: jest.fn(), warn: jest.fn() });

  it('warms the storage and starts connecting the bus', async () => {
    let connects = 0;
    const warmed: number[] = [];
    const logger = log();
    // The real storage, seen on its way through.
    const seen = { warm: (n: number) => (warmed.push(n), storage.warm(n)) };
    await warmReplica(seen, { connect: async () => void connects++ }, logger);
    expect(warmed).toEqual([REPLICA_WARM_CONNECTIONS]);
    expect(connects).toBe(1);
    expect(logger.warn).not.toHaveBeenCalled();
    await expect(storage.ping()).resolves.toBeUndefined();
  });

  it('does not wait for the bus, and logs its failure instead of throwing it', async () => {
    const logger = log();
    let fail!: (error: Error) => void;
    const connect = () => new Promise<void>((_, reject) => (fail = reject));
    await warmReplica(storage, { connect }, logger);
    fail(new Error('broker down'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/broker down/));
  });

  it('lets a storage failure through: the replica does not serve without its database', async () => {
    const closed = await createStorage({ url: 'pglite://memory' });
    await closed.close();
    await expect(warmReplica(closed, {}, log())).rejects.toBeInstanceOf(StorageClosedError);
  });
});
