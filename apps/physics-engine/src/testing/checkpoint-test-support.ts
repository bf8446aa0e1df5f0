import type { Checkpoint, Storage } from '@anvil/storage';

/** Checkpoints kept in memory: what CheckpointService uses of the storage. */
export function memoryCheckpointStorage(): Storage {
  const saved: Checkpoint[] = [];
  return {
    worlds: { get: async () => ({}), upsert: async () => undefined },
    checkpoints: {
      save: async (c: Omit<Checkpoint, 'createdAt' | 'epoch'>) =>
        void saved.push({ ...c, epoch: 0, createdAt: new Date() }),
      latest: async (worldId: string) => saved.filter((c) => c.worldId === worldId).at(-1) ?? null,
      prune: async () => undefined,
    },
  } as unknown as Storage;
}
