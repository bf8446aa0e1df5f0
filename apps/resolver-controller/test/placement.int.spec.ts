// Where each world runs, as `kubectl get worlds` and `kubectl describe world` show it: the
// controller (a child process, with the world registry on the real PostgreSQL of testenv)
// mirrors the worlds' physics leases into status.placement and Events. The leases are written
// here as a physics replica writes them, through @anvil/storage.
import { createStorage, type Storage } from '@anvil/storage';
import { ensureBuilt } from './support/build';
import {
  applyExamples,
  controllerKubeconfig,
  createNamespace,
  deleteNamespace,
  installCrds,
  kubectlOk,
  poll,
} from './support/cluster';
import { ControllerProcess } from './support/controller-process';
import { getWorld, waitForPhase, worldEvents } from './support/worlds';

jest.setTimeout(240_000);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

function databaseUrl(): string {
  const base = process.env['DATABASE_URL'];
  if (!base) throw new Error('DATABASE_URL is not set: run `npm run testenv:up`.');
  const url = new URL(base);
  url.searchParams.set('schema', `anvil_placement_${run}`);
  return url.toString();
}

describe('world placement in the API', () => {
  let namespace: string;
  let controller: ControllerProcess | undefined;
  let storage: Storage;

  beforeAll(async () => {
    ensureBuilt();
    await installCrds();
    namespace = await createNamespace('rc-place');
    controller = await ControllerProcess.start({
      namespace,
      kubeconfig: await controllerKubeconfig(),
      identity: 'resolver-a',
      env: { DATABASE_URL: databaseUrl(), PLACEMENT_SYNC_MS: '200' },
    });
    storage = await createStorage({ url: databaseUrl() });
    await storage.migrate();
  }, 600_000);

  afterAll(async () => {
    await controller?.stop();
    await storage?.close();
    await deleteNamespace(namespace);
  });

  it('shows the replica running each world, and its placement history as Events', async () => {
    await applyExamples(namespace);
    await waitForPhase(namespace, 'arena-eu-1', 'Ready');
    const worldId = `${namespace}:arena-eu-1`;
    const take = (holder: string, ttlMs: number) =>
      storage.leases.acquire({
        worldId,
        role: 'physics',
        holder,
        address: `${holder}.physics:50051`,
        ttlMs,
      });

    await take('physics-0', 1_500);
    await poll('the placement in status', async () => {
      const world = await getWorld(namespace, 'arena-eu-1');
      return world.status?.placement?.replica === 'physics-0' && world;
    });
    expect((await getWorld(namespace, 'arena-eu-1')).status).toMatchObject({
      phase: 'Ready', // resolution's status is untouched
      placement: {
        replica: 'physics-0',
        address: 'physics-0.physics:50051',
        epoch: 1,
        state: 'Running',
      },
    });
    const table = (await kubectlOk(['get', 'worlds', '-n', namespace])).trim().split('\n');
    expect(table[0]).toMatch(/^NAME\s+GAME\s+PHASE\s+BINDINGS\s+REPLICA\s+AGE$/);
    expect(table.filter((row) => row.startsWith('arena-eu-1 '))).toEqual([
      expect.stringMatching(/^arena-eu-1\s+arena\s+Ready\s+2\s+physics-0\s+\S+$/),
    ]);

    // physics-0 stops renewing (it died): OwnerLost, then another replica takes the world.
    await poll('OwnerLost', async () => {
      const world = await getWorld(namespace, 'arena-eu-1');
      return world.status?.placement?.state === 'OwnerLost';
    });
    await take('physics-1', 60_000);
    await poll('the new owner in status', async () => {
      const world = await getWorld(namespace, 'arena-eu-1');
      return world.status?.placement?.replica === 'physics-1';
    });
    const reasons = await poll('the placement Events', async () => {
      const events = (await worldEvents(namespace, 'arena-eu-1')).map((e) => e.reason);
      return events.includes('FailedOver') && events;
    });
    expect(reasons).toEqual(expect.arrayContaining(['Placed', 'OwnerLost', 'FailedOver']));
    const failedOver = (await worldEvents(namespace, 'arena-eu-1')).find(
      (e) => e.reason === 'FailedOver',
    );
    expect(failedOver?.message).toBe(
      'taken over from replica physics-0 (epoch 1) by replica physics-1 at physics-1.physics:50051 (epoch 2)',
    );
  });
  it('says why an orphan no live replica can read waits (its state format)', async () => {
    await waitForPhase(namespace, 'tag-eu-1', 'Ready');
    const worldId = `${namespace}:tag-eu-1`;
    // A replica of a newer build (state format 2) held the world and died; the live replica
    // (format 1) cannot restore it.
    await storage.leases.acquire({
      worldId,
      role: 'physics',
      holder: 'physics-next',
      address: 'physics-next.physics:50051',
      ttlMs: 1,
      stateFormat: 2,
    });
    await storage.replicas.heartbeat({
      role: 'physics',
      replicaId: 'physics-old',
      address: 'physics-old.physics:50051',
      worlds: 0,
      bodies: 0,
      maxWorlds: 64,
      maxBodies: 20_000,
      stateFormat: 1,
      ttlMs: 120_000,
    });
    const placement = await poll('the reason in status', async () => {
      const world = await getWorld(namespace, 'tag-eu-1');
      return world.status?.placement?.message && world.status.placement;
    });
    expect(placement).toMatchObject({ replica: 'physics-next', state: 'OwnerLost' });
    expect(placement.message).toMatch(
      /^no live replica reads its state format 2 \(they read up to 1\)/,
    );
    const described = await kubectlOk(['describe', 'worlds', 'tag-eu-1', '-n', namespace]);
    expect(described).toMatch(/no live replica reads its state format 2/);
    const lost = await poll('the Warning', async () =>
      (await worldEvents(namespace, 'tag-eu-1')).find((e) => e.reason === 'OwnerLost'),
    );
    expect(lost.type).toBe('Warning');
    expect(lost.message).toMatch(/stopped renewing its lease; no live replica reads/);
    await storage.replicas.remove('physics', 'physics-old');
  });
});
