import { applyExamples, kubectlOk, poll } from './support/cluster';
import { useControllerPerTest } from './support/suite';
import { getBindings, waitForPhase, worldEvents } from './support/worlds';

jest.setTimeout(240_000);

const suite = useControllerPerTest('rc-repair');

beforeEach(async () => {
  await applyExamples(suite.namespace);
  await waitForPhase(suite.namespace, 'arena-eu-1', 'Ready');
});

// The folder holds other games' worlds too: only arena-eu-1's bindings are looked at.
const arenaBindings = () => getBindings(suite.namespace, 'arena-eu-1');

const specsByName = async () =>
  Object.fromEntries((await arenaBindings()).map((b) => [b.metadata.name, b.spec]));

describe('the controller repairs what it owns', () => {
  it('restores a binding deleted by hand', async () => {
    const before = await specsByName();
    const [victim] = Object.keys(before);
    const uid = (await arenaBindings()).find((b) => b.metadata.name === victim).metadata.uid;
    await kubectlOk(['delete', 'capabilitybinding', '-n', suite.namespace, victim]);
    await poll(`${victim} to be recreated`, async () =>
      (await arenaBindings()).some((b) => b.metadata.name === victim && b.metadata.uid !== uid),
    );
    expect(await specsByName()).toEqual(before);
    await poll('a BindingsChanged Event', async () =>
      (await worldEvents(suite.namespace, 'arena-eu-1')).find(
        (e) => e.reason === 'BindingsChanged',
      ),
    );
  });

  it('restores a binding edited by hand, and its labels', async () => {
    const before = await specsByName();
    const victim = Object.keys(before).find(
      (name) => before[name].capabilityId === 'physics.simulation',
    ) as string;
    await kubectlOk([
      'patch',
      'capabilitybinding',
      '-n',
      suite.namespace,
      victim,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { provider: { module: 'impostor', version: '9.9.9' } } }),
    ]);
    await poll(
      `${victim} to be restored`,
      async () => JSON.stringify((await specsByName())[victim]) === JSON.stringify(before[victim]),
    );
    await kubectlOk([
      'label',
      'capabilitybinding',
      '-n',
      suite.namespace,
      victim,
      'app.kubernetes.io/managed-by-',
    ]);
    await poll(`the label of ${victim} to be restored`, async () =>
      (await arenaBindings()).some(
        (b) =>
          b.metadata.name === victim &&
          b.metadata.labels['app.kubernetes.io/managed-by'] === 'anvil-resolver',
      ),
    );
    expect(await specsByName()).toEqual(before);
  });

  it('deletes a binding that is no longer desired, but never one it does not manage', async () => {
    const stray = (name: string, managed: boolean) => `apiVersion: anvil.dev/v1alpha1
kind: CapabilityBinding
metadata:
  name: ${name}
  labels: { anvil.dev/world: arena-eu-1${managed ? ', app.kubernetes.io/managed-by: anvil-resolver' : ''} }
spec:
  worldRef: arena-eu-1
  consumer: { module: interaction-engine, version: 1.0.0 }
  provider: { module: physics-legacy, version: 0.9.0, endpoint: { port: 50054, protocol: grpc } }
  capabilityId: physics.simulation
  capabilityVersion: 1.2.0
  scope: world
  multiplicity: '1'
  rank: 0
`;
    await kubectlOk(['apply', '-n', suite.namespace, '-f', '-'], {
      input: `${stray('stale-ours', true)}---\n${stray('by-hand', false)}`,
    });
    await poll(
      'the stale managed binding to go',
      async () => !(await arenaBindings()).some((b) => b.metadata.name === 'stale-ours'),
    );
    expect((await arenaBindings()).map((b) => b.metadata.name)).toContain('by-hand');
  });

  it('removes the bindings of a deleted world through their owner reference (garbage collector)', async () => {
    expect((await arenaBindings()).map((b) => b.metadata.name).sort()).toEqual([
      'arena-eu-1.interaction-engine.analytics.sink.analytics-kafka',
      'arena-eu-1.interaction-engine.physics.simulation.physics-rapier',
    ]);
    await kubectlOk([
      'delete',
      'worldinstance',
      '-n',
      suite.namespace,
      'arena-eu-1',
      '--wait=false',
    ]);
    // the garbage collector learns new CRDs on a 30 s discovery resync: allow for it
    await poll(
      'the garbage collector to delete the bindings',
      async () => (await arenaBindings()).length === 0,
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
  });
});
