import * as path from 'node:path';
import { applyExamples, applyYaml, kubectlOk, poll } from './support/cluster';
import { REPO } from './support/paths';
import { useControllerPerTest } from './support/suite';
import {
  condition,
  getBindings,
  getWorld,
  waitForPhase,
  worldEvents,
  worldYaml,
} from './support/worlds';

jest.setTimeout(240_000);

const suite = useControllerPerTest('rc-change');

const RAPIER_1_4 = `apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: physics-rapier-1.4.0 }
spec:
  module: physics-rapier
  version: 1.4.0
  image: ghcr.io/anvil-dev/physics-engine:1.4.0
  endpoint: { port: 50055, protocol: grpc }
  provides:
    - { capabilityId: physics.simulation, version: 1.5.0, scope: world }
    - { capabilityId: state.checkpoint, version: 1.2.0, scope: world-shard }
`;

/** Not an example: a game whose module requires physics-rapier's state.checkpoint per world shard. */
const REPLAY = `apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: replay-recorder-1.0.0 }
spec:
  module: replay-recorder
  version: 1.0.0
  image: example/replay-recorder:1.0.0
  endpoint: { port: 50070, protocol: grpc }
  requires:
    - { capabilityId: state.checkpoint, versionConstraint: ^1.0.0, scope: world-shard, multiplicity: '1', dependencyMode: required }
---
apiVersion: anvil.dev/v1alpha1
kind: GameDefinition
metadata: { name: replay }
spec:
  modules: [{ name: replay-recorder }, { name: physics-rapier, versionConstraint: ^1.0.0 }]
---
${worldYaml('replay-1', 'replay', 2)}`;

/** provider@version/capabilityVersion of replay-1's state.checkpoint bindings, shard 0 first. */
const checkpointProviders = async () =>
  (await getBindings(suite.namespace, 'replay-1'))
    .filter((b) => b.spec.capabilityId === 'state.checkpoint')
    .sort((a, b) => a.spec.shard - b.spec.shard)
    .map((b) => `${b.spec.provider.module}@${b.spec.provider.version}/${b.spec.capabilityVersion}`);

const physicsBinding = async () =>
  (await getBindings(suite.namespace, 'arena-eu-1')).find(
    (b) => b.spec.capabilityId === 'physics.simulation',
  );

describe('the controller follows its inputs', () => {
  it('follows provider versions: a newer provider, its removal, no provider at all, and recovery', async () => {
    await applyExamples(suite.namespace);
    await applyYaml(suite.namespace, REPLAY);
    await waitForPhase(suite.namespace, 'arena-eu-1', 'Ready');
    await waitForPhase(suite.namespace, 'replay-1', 'Ready');
    expect((await physicsBinding()).spec.provider).toMatchObject({
      module: 'physics-rapier',
      version: '1.3.0',
    });
    expect(await checkpointProviders()).toEqual([
      'physics-rapier@1.3.0/1.1.0',
      'physics-rapier@1.3.0/1.1.0',
    ]);

    await applyYaml(suite.namespace, RAPIER_1_4);
    await poll('bindings to move to physics-rapier 1.4.0', async () => {
      const b = await physicsBinding();
      return (
        b?.spec.provider.version === '1.4.0' &&
        b.spec.capabilityVersion === '1.5.0' &&
        b.spec.provider.endpoint.port === 50055
      );
    });
    await poll(
      'both shards of replay-1 to checkpoint into physics-rapier 1.4.0',
      async () =>
        JSON.stringify(await checkpointProviders()) ===
        JSON.stringify(['physics-rapier@1.4.0/1.2.0', 'physics-rapier@1.4.0/1.2.0']),
    );
    const shards = (await getBindings(suite.namespace, 'replay-1')).filter(
      (b) => b.spec.capabilityId === 'state.checkpoint',
    );
    expect(shards.map((b) => [b.spec.shard, b.spec.provider.endpoint.port])).toEqual([
      [0, 50055],
      [1, 50055],
    ]);

    await kubectlOk(['delete', 'modulemanifest', '-n', suite.namespace, 'physics-rapier-1.4.0']);
    await poll(
      'bindings to move back to 1.3.0',
      async () =>
        (await physicsBinding())?.spec.provider.version === '1.3.0' &&
        JSON.stringify(await checkpointProviders()) ===
          JSON.stringify(['physics-rapier@1.3.0/1.1.0', 'physics-rapier@1.3.0/1.1.0']),
    );

    await kubectlOk([
      'delete',
      'modulemanifest',
      '-n',
      suite.namespace,
      'physics-rapier-1.3.0',
      'physics-rapier-2.0.0',
      'physics-legacy-0.9.0',
    ]);
    const unresolved = await poll('the physics requirement to be reported unresolved', async () => {
      const world = await getWorld(suite.namespace, 'arena-eu-1');
      const diagnostics: Array<Record<string, string>> = world.status?.diagnostics ?? [];
      return (
        diagnostics.some(
          (d) =>
            d.code === 'RequirementUnresolved' &&
            d.capabilityId === 'physics.simulation' &&
            d.consumer === 'interaction-engine' &&
            d.severity === 'error',
        ) && world
      );
    });
    expect(unresolved.status.phase).toBe('Unresolved');
    expect(condition(unresolved, 'Resolved')).toMatchObject({
      status: 'False',
      reason: 'RequirementsUnresolved',
    });
    expect(condition(unresolved, 'Ready')).toMatchObject({ status: 'False', reason: 'Unresolved' });
    expect(await physicsBinding()).toBeUndefined();
    await poll('an Unresolved warning Event', async () =>
      (await worldEvents(suite.namespace, 'arena-eu-1')).find(
        (e) => e.reason === 'Unresolved' && e.type === 'Warning',
      ),
    );

    const examples = path.join(REPO, 'deploy', 'examples');
    await kubectlOk([
      'apply',
      '-n',
      suite.namespace,
      '-f',
      path.join(examples, 'physics-rapier.yaml'),
      '-f',
      path.join(examples, 'physics-legacy.yaml'),
    ]);
    const recovered = await waitForPhase(suite.namespace, 'arena-eu-1', 'Ready');
    expect(condition(recovered, 'Resolved')?.status).toBe('True');
    expect((await physicsBinding()).spec.provider.version).toBe('1.3.0');
    await poll(
      'a second Resolved Event',
      async () =>
        (await worldEvents(suite.namespace, 'arena-eu-1')).filter((e) => e.reason === 'Resolved')
          .length >= 2,
    );
  });

  it('shows a manifest the CRD accepts but the resolver cannot use, and keeps working on other worlds', async () => {
    await applyExamples(suite.namespace);
    await applyYaml(
      suite.namespace,
      `apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: duel-rules-1.0.0 }
spec:
  module: duel-rules
  version: 1.0.0
  image: example/duel-rules:1.0.0
  endpoint: { port: 50070, protocol: grpc }
  requires:
    - { capabilityId: physics.simulation, versionConstraint: '>=3.0.0 <2.0.0', scope: world }
---
apiVersion: anvil.dev/v1alpha1
kind: GameDefinition
metadata: { name: duel }
spec:
  modules: [{ name: duel-rules }, { name: physics-rapier, versionConstraint: ^1.0.0 }]
---
${worldYaml('duel-1', 'duel')}`,
    );
    const broken = await waitForPhase(suite.namespace, 'duel-1', 'Unresolved');
    const diagnostic = broken.status.diagnostics.find(
      (d: { consumer: string }) => d.consumer === 'duel-rules',
    );
    expect(diagnostic).toMatchObject({ severity: 'error', capabilityId: 'physics.simulation' });
    expect(diagnostic.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ module: 'physics-rapier', reason: 'VersionOutOfRange' }),
      ]),
    );
    expect(condition(broken, 'Resolved')?.message).toContain('physics.simulation');
    await poll('an Unresolved Event on duel-1', async () =>
      (await worldEvents(suite.namespace, 'duel-1')).find(
        (e) => e.reason === 'Unresolved' && e.message.includes('physics.simulation'),
      ),
    );

    await waitForPhase(suite.namespace, 'arena-eu-1', 'Ready');
    await applyYaml(suite.namespace, worldYaml('arena-eu-2'));
    await waitForPhase(suite.namespace, 'arena-eu-2', 'Ready');
    expect(
      (await getBindings(suite.namespace, 'arena-eu-2')).map((b) => b.metadata.name).sort(),
    ).toEqual([
      'arena-eu-2.interaction-engine.analytics.sink.analytics-kafka',
      'arena-eu-2.interaction-engine.physics.simulation.physics-rapier',
    ]);
    expect(await getBindings(suite.namespace, 'duel-1')).toEqual(
      expect.not.arrayContaining([
        expect.objectContaining({
          spec: expect.objectContaining({ capabilityId: 'physics.simulation' }),
        }),
      ]),
    );
  });
});
