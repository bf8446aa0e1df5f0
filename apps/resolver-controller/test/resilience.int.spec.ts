import { ensureBuilt } from './support/build';
import {
  applyYaml,
  controllerKubeconfig,
  createNamespace,
  deleteNamespace,
  getJson,
  installCrds,
  kubectlOk,
  poll,
} from './support/cluster';
import { ControllerProcess } from './support/controller-process';
import { createWorlds, getBindings, getWorld, waitForPhase, worldYaml } from './support/worlds';
import * as path from 'node:path';
import { REPO } from './support/paths';
import { restartApiServer } from './support/testenv';

jest.setTimeout(300_000);

let kubeconfig: string;
let namespace: string;
const controllers: ControllerProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  await installCrds();
  kubeconfig = await controllerKubeconfig();
}, 600_000);

beforeEach(async () => {
  namespace = await createNamespace('rc-resilience');
  // the inputs only: worlds are created by each test
  const examples = path.join(REPO, 'deploy', 'examples');
  const files = [
    'analytics-sinks',
    'game',
    'interaction-engine',
    'physics-legacy',
    'physics-rapier',
  ];
  await kubectlOk([
    'apply',
    '-n',
    namespace,
    ...files.flatMap((f) => ['-f', path.join(examples, `${f}.yaml`)]),
  ]);
});

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop('SIGKILL')));
  await deleteNamespace(namespace);
});

async function start(identity: string): Promise<ControllerProcess> {
  const controller = await ControllerProcess.start({ namespace, kubeconfig, identity });
  controllers.push(controller);
  return controller;
}

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

/** The bindings of each world of the example game: physics and one analytics sink. */
const PER_WORLD = 2;

/** Every world Ready, with exactly its 2 expected bindings and nothing else in the namespace. */
async function expectConverged(worlds: string[]): Promise<void> {
  await poll(
    'every world to be Ready',
    async () => {
      const list = await getJson(['worldinstances', '-n', namespace]);
      return (
        list.items.length === worlds.length &&
        list.items.every((w: { status?: { phase?: string } }) => w.status?.phase === 'Ready')
      );
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
  // A repair (bindings deleted behind the controller's back) does not change the phase: wait
  // for the bindings themselves, then check them.
  await poll(
    `${worlds.length * PER_WORLD} bindings`,
    async () => (await getBindings(namespace)).length === worlds.length * PER_WORLD,
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const bindings = await getBindings(namespace);
  const byWorld = new Map<string, string[]>();
  for (const b of bindings)
    byWorld.set(b.spec.worldRef, [...(byWorld.get(b.spec.worldRef) ?? []), b.metadata.name]);
  expect([...byWorld.keys()].sort()).toEqual([...worlds].sort());
  for (const world of worlds) {
    const own = (byWorld.get(world) ?? []).sort();
    expect(own).toEqual([
      `${world}.interaction-engine.analytics.sink.analytics-kafka`,
      `${world}.interaction-engine.physics.simulation.physics-rapier`,
    ]);
  }
  expect(bindings).toHaveLength(worlds.length * PER_WORLD);
}

describe('the controller survives restarts and failover', () => {
  it('ends in the same state when restarted mid-way', async () => {
    const first = await start('resolver-a');
    const worlds = names('w', 30);
    await createWorlds(namespace, worlds);
    await poll('some bindings to exist', async () => (await getBindings(namespace)).length > 0, {
      intervalMs: 100,
    });
    expect(await first.stop('SIGKILL')).toBeNull();
    const partial = (await getBindings(namespace)).length;
    expect(partial).toBeGreaterThan(0);
    await start('resolver-b');
    await expectConverged(worlds);
  });

  it('fails over to the standby when the leader is SIGKILLed', async () => {
    const a = await start('replica-a');
    await poll('replica-a to lead', () => a.isLeader());
    const b = await start('replica-b');
    await createWorlds(namespace, names('x', 10));
    await expectConverged(names('x', 10));
    expect(await b.isLeader()).toBe(false);
    expect(await b.metric('anvil_resolver_writes_total')).toBe(0);

    expect(await a.stop('SIGKILL')).toBeNull();
    await createWorlds(namespace, names('y', 10));
    // the lease lasts 6 s: the standby must take over well within a minute
    await poll('replica-b to lead', () => b.isLeader(), { timeoutMs: 60_000 });
    await expectConverged([...names('x', 10), ...names('y', 10)]);
    const lease = await getJson(['lease', 'resolver', '-n', namespace]);
    expect(lease.spec.holderIdentity).toBe('replica-b');
    expect(lease.spec.leaseTransitions).toBeGreaterThanOrEqual(1);
  });

  it('hands over at once on SIGTERM (the lease is released)', async () => {
    const a = await start('replica-a');
    await poll('replica-a to lead', () => a.isLeader());
    const b = await start('replica-b');
    expect(await a.stop('SIGTERM')).toBe(0);
    expect((await getJson(['lease', 'resolver', '-n', namespace])).spec.holderIdentity).not.toBe(
      'replica-a',
    );
    await poll('replica-b to lead', () => b.isLeader(), { timeoutMs: 30_000 });
    await createWorlds(namespace, ['after-handover']);
    await expectConverged(['after-handover']);
  });

  it('recovers its watches when the API server restarts, without being restarted itself', async () => {
    const controller = await start('resolver-a');
    await applyYaml(namespace, worldYaml('before-restart'));
    await waitForPhase(namespace, 'before-restart', 'Ready');
    await restartApiServer();
    await applyYaml(namespace, worldYaml('after-restart'));
    await waitForPhase(namespace, 'after-restart', 'Ready', 120_000);
    await kubectlOk([
      'delete',
      'capabilitybinding',
      '-n',
      namespace,
      '-l',
      'anvil.dev/world=before-restart',
    ]);
    await expectConverged(['before-restart', 'after-restart']);
    expect(controller.running).toBe(true);
    expect(await controller.metric('anvil_resolver_watch_restarts_total')).toBeGreaterThan(0);
    expect((await getWorld(namespace, 'after-restart')).status.bindingCount).toBe(PER_WORLD);
  });
});
