import type { GameDefinition, ModuleManifest, WorldInstance } from '@anvil/capability-model';
import { loadExamples } from '../src/testing/fixtures';
import { applyExamples, kubectlOk, poll } from './support/cluster';
import { expectedBindings } from './support/expected';
import { useControllerPerTest } from './support/suite';
import { condition, getBindings, getWorld, waitForPhase, worldEvents } from './support/worlds';

jest.setTimeout(240_000);

const suite = useControllerPerTest('rc-resolve');

describe('resolver controller against the real API server', () => {
  it('resolves the example world: bindings equal resolve() of the same YAML, status and printer columns', async () => {
    await applyExamples(suite.namespace);
    const world = await waitForPhase(suite.namespace, 'arena-eu-1', 'Ready');

    const examples = loadExamples(suite.namespace);
    const of = <T>(kind: string) => examples.filter((o) => o.kind === kind) as unknown as T[];
    const expected = expectedBindings(
      of<WorldInstance>('WorldInstance')[0],
      of<GameDefinition>('GameDefinition')[0],
      of<ModuleManifest>('ModuleManifest'),
    );
    const bindings = await getBindings(suite.namespace);
    expect(bindings.map((b) => b.metadata.name).sort()).toEqual(expected.map((b) => b.name).sort());
    for (const want of expected)
      expect(bindings.find((b) => b.metadata.name === want.name)?.spec).toEqual(want.spec);
    for (const b of bindings) {
      expect(b.metadata.labels).toMatchObject({
        'anvil.dev/world': 'arena-eu-1',
        'app.kubernetes.io/managed-by': 'anvil-resolver',
      });
      expect(b.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'anvil.dev/v1alpha1',
          kind: 'WorldInstance',
          name: 'arena-eu-1',
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
        '-o',
        'json',
        '--show-managed-fields',
      ]),
    );
    for (const b of managed.items) {
      expect(b.metadata.managedFields).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ manager: 'anvil-resolver', operation: 'Apply' }),
        ]),
      );
    }

    expect(world.status).toMatchObject({
      phase: 'Ready',
      bindingCount: 5,
      observedGeneration: 1,
      diagnostics: [],
    });
    expect(condition(world, 'Resolved')).toMatchObject({ status: 'True', reason: 'Resolved' });
    expect(condition(world, 'Ready')).toMatchObject({ status: 'True', reason: 'BindingsReady' });

    const table = (await kubectlOk(['get', 'worlds', '-n', suite.namespace])).trim().split('\n');
    expect(table[0]).toMatch(/^NAME\s+GAME\s+PHASE\s+BINDINGS\s+REPLICA\s+AGE$/);
    expect(table[1]).toMatch(/^arena-eu-1\s+arena\s+Ready\s+5\s+(<none>\s+)?\S+$/);
    await poll('a Resolved Event', async () =>
      (await worldEvents(suite.namespace, 'arena-eu-1')).find(
        (e) => e.reason === 'Resolved' && e.type === 'Normal',
      ),
    );
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
