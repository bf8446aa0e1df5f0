import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { StorageClosedError } from './errors';
import { createStorage } from './storage';
import { aWorld, describeStorageContract } from './testing/storage-contract';

describeStorageContract('PGlite in memory', () => createStorage({ url: 'pglite://memory' }));

describe('PGlite in a folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-pglite-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps its data across a reopen and refuses calls once closed', async () => {
    const dataDir = path.join(dir, 'nested', 'data'); // created on first open
    const first = await createStorage({ url: `pglite://${dataDir}` });
    expect(first.backend).toBe('pglite');
    expect((await first.migrate()).applied.length).toBeGreaterThan(0);
    const world = await first.worlds.upsert(aWorld());
    await first.close();
    await first.close(); // closing twice is harmless
    await expect(first.worlds.get(world.id)).rejects.toBeInstanceOf(StorageClosedError);
    await expect(first.migrate()).rejects.toMatchObject({
      name: 'StorageClosedError',
      code: 'STORAGE_CLOSED',
    });

    const reopened = await createStorage({ url: `pglite://${dataDir}` });
    try {
      expect((await reopened.migrate()).applied).toEqual([]);
      expect(await reopened.worlds.get(world.id)).toMatchObject({ id: world.id, name: world.name });
      await expect(reopened.ping()).resolves.toBeUndefined();
    } finally {
      await reopened.close();
    }
  }, 300_000);
});
