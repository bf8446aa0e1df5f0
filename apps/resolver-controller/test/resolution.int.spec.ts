import { exampleSet, REPLAY_YAML } from '../src/testing/fixtures';
import { applyExamples, applyYaml, kubectlOk, poll } from './support/cluster';
import { expectedBindings } from './support/expected';
import { useControllerPerTest } from './support/suite';
import type { Json } from './support/json';
import { condition, getBindings, getWorld, waitForPhase, worldEvents } from './support/worlds';

jest.setTimeout(240_000);

const suite = useControllerPerTest('rc-resolve');

describe('resolver controller against the real API server', () => {
  /** The world's bindings equal resolve() of the same YAML, labelled, owned and applied by the controller. */
  async function expectBindingsOf(world: Json, expected: ReturnType<typeof expectedBindings>) {
    const name = world.metadata.name;
    const bindings = await getBindings(suite.namespace, name);
    expect(bindings.map((b) => b.metadata.name).sort()).toEqual(expected.map((b) => b.name).sort());
    for (const want of expected)
      expect(bindings.find((b) => b.metadata.name === want.name)?.spec).toEqual(want.spec);
    for (const b of bindings) {
      expect(b.metadata.labels).toMatchObject({
        'anvil.dev/world': name,
        'app.kubernetes.io/managed-by': 'anvil-resolver',
      });
      expect(b.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'anvil.dev/v1alpha1',
          kind: 'WorldInstance',
          name,
          uid: world.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    const managed = JSON.parse(
      await kubectlOk([
        'get',
        'capabilitybindings',
        '-n',
        suite.namespace,
        '-l',
        `anvil.dev/world=${name}`,
        '-o',
        'json',
        '--show-managed-fields',
      ]),
    );
    expect(managed.items).toHaveLength(expected.length);
    for (const b of managed.items) {
      expect(b.metadata.managedFields).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ manager: 'anvil-resolver', operation: 'Apply' }),
        ]),
      );
    }
  }

  it('resolves the example world: bindings equal resolve() of the same YAML, status and printer columns', async () => {
    await applyExamples(suite.namespace);
    const world = await waitForPhase(suite.namespace, 'arena-eu-1', 'Ready');

    const { manifests, game, world: input } = exampleSet(suite.namespace, 'arena-eu-1');
    const expected = expectedBindings(input, game, manifests);
    expect(expected.map((b) => b.name).sort()).toEqual([
      'arena-eu-1.interaction-engine.analytics.sink.analytics-kafka',
      'arena-eu-1.interaction-engine.physics.simulation.physics-rapier',
    ]);
    await expectBindingsOf(world, expected);

    expect(world.status).toMatchObject({
      phase: 'Ready',
      bindingCount: 2,
      observedGeneration: 1,
      diagnostics: [],
    });
    expect(condition(world, 'Resolved')).toMatchObject({ status: 'True', reason: 'Resolved' });
    expect(condition(world, 'Ready')).toMatchObject({ status: 'True', reason: 'BindingsReady' });

    const table = (await kubectlOk(['get', 'worlds', '-n', suite.namespace])).trim().split('\n');
    expect(table[0]).toMatch(/^NAME\s+GAME\s+PHASE\s+BINDINGS\s+REPLICA\s+AGE$/);
    expect(table.filter((row) => row.startsWith('arena-eu-1 '))).toEqual([
      expect.stringMatching(/^arena-eu-1\s+arena\s+Ready\s+2\s+(<none>\s+)?\S+$/),
    ]);
    await poll('a Resolved Event', async () =>
      (await worldEvents(suite.namespace, 'arena-eu-1')).find(
        (e) => e.reason === 'Resolved' && e.type === 'Normal',
      ),
    );
  });

  it('binds a world-shard requirement per shard and ranks a "many" requirement\'s providers (inline replay game over the examples)', async () => {
    await applyExamples(suite.namespace);
    await applyYaml(suite.namespace, REPLAY_YAML);
    const world = await waitForPhase(suite.namespace, 'replay-1', 'Ready');

    const { manifests, game, world: input } = exampleSet(suite.namespace, 'replay-1', REPLAY_YAML);
    const expected = expectedBindings(input, game, manifests);
    expect(
      expected.map((b) => [b.spec.capabilityId, b.spec.provider.module, b.spec.rank, b.spec.shard]),
    ).toEqual([
      ['analytics.sink', 'analytics-archive', 0, undefined],
      ['analytics.sink', 'analytics-kafka', 1, undefined],
      ['state.checkpoint', 'physics-rapier', 0, 0],
      ['state.checkpoint', 'physics-rapier', 0, 1],
    ]);
    await expectBindingsOf(world, expected);
    expect(world.status).toMatchObject({ phase: 'Ready', bindingCount: 4, diagnostics: [] });
  });

  it('writes nothing when an unchanged world is reconciled again', async () => {
    await applyExamples(suite.namespace);
    await waitForPhase(suite.namespace, 'arena-eu-1', 'Ready');
    const c = suite.controller;
    // let the follow-up reconciles (triggered by our own writes) settle
    await poll('the queue to settle', async () => {
      const before = await c.metric('anvil_resolver_reconciles_total');
      await new Promise((r) => setTimeout(r, 1_500));
      return (
        (await c.metric('anvil_resolver_reconciles_total')) === before &&
        (await c.metric('anvil_resolver_queue_depth')) === 0
      );
    });
    const writes = await c.metric('anvil_resolver_writes_total');
    const reconciles = await c.metric('anvil_resolver_reconciles_total');
    const versions = (await getBindings(suite.namespace))
      .map((b) => `${b.metadata.name}@${b.metadata.resourceVersion}`)
      .sort();

    await kubectlOk([
      'annotate',
      '-n',
      suite.namespace,
      'worldinstance/arena-eu-1',
      'test.anvil.dev/poke=1',
    ]);
    const annotated = await getWorld(suite.namespace, 'arena-eu-1');
    await poll(
      'another reconcile',
      async () => (await c.metric('anvil_resolver_reconciles_total')) > reconciles,
    );
    await new Promise((r) => setTimeout(r, 1_000));

    expect(await c.metric('anvil_resolver_writes_total')).toBe(writes);
    expect(
      (await getBindings(suite.namespace))
        .map((b) => `${b.metadata.name}@${b.metadata.resourceVersion}`)
        .sort(),
    ).toEqual(versions);
    expect((await getWorld(suite.namespace, 'arena-eu-1')).metadata.resourceVersion).toBe(
      annotated.metadata.resourceVersion,
    );
  });
});
