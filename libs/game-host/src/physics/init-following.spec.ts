import {
  EngineUnavailableError,
  WorldOwnedElsewhereError,
  isPlacedInit,
  type CommandStreamClient,
  type EngineClient,
} from '@anvil/engine-contract';
import type { Metadata } from '@grpc/grpc-js';
import { initFollowing } from './init-following';
import { PhysicsClients } from './physics-clients';

/**
 * Physics replicas by address: each answers Init itself (naming the replica behind it in
 * `behind`: a load-balanced address), or names the owner in `owners`.
 */
function replicas(owners: Record<string, string>, behind: Record<string, string> = {}) {
  const inits: Array<{ address: string; placed: boolean }> = [];
  const clients = new PhysicsClients('physics-a:1', (address) => ({
    calls: {
      init: async ({ worldId }: { worldId: string }, options?: { metadata?: Metadata }) => {
        inits.push({ address, placed: options?.metadata ? isPlacedInit(options.metadata) : false });
        const owner = owners[address];
        if (owner)
          throw new WorldOwnedElsewhereError(`world "${worldId}" is owned by ${owner}`, owner);
        const ownerAddress = behind[address] ?? '';
        return { worldId, tick: 1, stateHash: '', created: true, tickHz: 0, ownerAddress };
      },
    } as unknown as EngineClient,
    commands: {} as unknown as CommandStreamClient,
  }));
  return { clients, inits };
}

describe('initFollowing', () => {
  it('follows owner answers to the replica that runs the world, the next Inits marked placed', async () => {
    const { clients, inits } = replicas({ 'physics-a:1': 'physics-b:1' });
    const { physics } = await initFollowing(clients, 'w', undefined, clients.get());
    expect(physics.address).toBe('physics-b:1');
    expect(inits).toEqual([
      { address: 'physics-a:1', placed: false },
      { address: 'physics-b:1', placed: true },
    ]);
  });

  it('goes on with the replica that answered through a load-balanced address, by the owner address it names', async () => {
    const { clients, inits } = replicas({}, { 'physics-a:1': 'physics-0.physics:1' });
    const { physics } = await initFollowing(clients, 'w', undefined, clients.get());
    expect(physics.address).toBe('physics-0.physics:1');
    expect(inits).toHaveLength(1);
  });

  it('answers UNAVAILABLE, not the physics owner, when the named replica is the one asked (it still holds a dead lease)', async () => {
    const { clients } = replicas({ 'physics-a:1': 'physics-a:1' });
    const init = initFollowing(clients, 'w', undefined, clients.get());
    await expect(init).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(init).rejects.not.toBeInstanceOf(WorldOwnedElsewhereError);
  });

  it('answers UNAVAILABLE after a few hops of owners naming each other', async () => {
    const { clients, inits } = replicas({
      'physics-a:1': 'physics-b:1',
      'physics-b:1': 'physics-c:1',
      'physics-c:1': 'physics-d:1',
      'physics-d:1': 'physics-a:1',
    });
    await expect(initFollowing(clients, 'w', undefined, clients.get())).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
    expect(inits).toHaveLength(4);
  });
});
