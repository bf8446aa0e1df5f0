import { REPLICA_WARM_CONNECTIONS, warmReplica } from './warm-replica';

describe('warmReplica', () => {
  const log = () => ({ log: jest.fn(), warn: jest.fn() });

  it('warms the storage connections and starts connecting the bus', async () => {
    const warm = jest.fn().mockResolvedValue(undefined);
    const connect = jest.fn().mockResolvedValue(undefined);
    await warmReplica({ warm }, { connect }, log());
    expect(warm).toHaveBeenCalledWith(REPLICA_WARM_CONNECTIONS);
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it('does not wait for the bus, and logs its failure instead of throwing it', async () => {
    const logger = log();
    let fail!: (error: Error) => void;
    const connect = () => new Promise<void>((_, reject) => (fail = reject));
    await warmReplica({ warm: async () => undefined }, { connect }, logger);
    fail(new Error('broker down'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/broker down/));
  });

  it('lets a storage failure through: the replica does not serve without its database', async () => {
    const warm = () => Promise.reject(new Error('db down'));
    await expect(warmReplica({ warm }, {}, log())).rejects.toThrow('db down');
  });
});
