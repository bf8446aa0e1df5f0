import { resolve } from '@anvil/capability-model';
import { InconsistentResolutionError } from '../errors/errors';
import { exampleSet, REPLAY_YAML } from '../testing/fixtures';
import { desiredBindings } from './desired-bindings';

describe('desiredBindings', () => {
  const { manifests, game, world } = exampleSet('games');
  const resolution = resolve(world, game, manifests);
  const desired = desiredBindings(world, resolution, manifests);

  it('builds one object per planned binding, named by the binding, in the world namespace', () => {
    expect(desired.map((b) => b.metadata.name)).toEqual(resolution.bindings.map((b) => b.name));
    expect(new Set(desired.map((b) => b.metadata.namespace))).toEqual(new Set(['games']));
    expect(
      desired.every((b) => b.apiVersion === 'anvil.dev/v1alpha1' && b.kind === 'CapabilityBinding'),
    ).toBe(true);
  });

  it('labels and owns every binding', () => {
    for (const b of desired) {
      expect(b.metadata.labels).toEqual({
        'anvil.dev/world': 'arena-eu-1',
        'app.kubernetes.io/managed-by': 'anvil-resolver',
      });
      expect(b.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'anvil.dev/v1alpha1',
          kind: 'WorldInstance',
          name: 'arena-eu-1',
          uid: 'uid-arena-eu-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
  });

  it('plans exactly the physics and analytics bindings of the arena world', () => {
    expect(
      desired.map(
        (b) => `${b.spec.consumer.module}>${b.spec.capabilityId}>${b.spec.provider.module}`,
      ),
    ).toEqual([
      'interaction-engine>analytics.sink>analytics-kafka',
      'interaction-engine>physics.simulation>physics-rapier',
    ]);
  });

  it.each([
    [
      'interaction-engine',
      'physics.simulation',
      'physics-rapier',
      {
        consumerVersion: '1.0.0',
        providerVersion: '1.3.0',
        capabilityVersion: '1.4.0',
        port: 50051,
        shard: undefined,
      },
    ],
    [
      'interaction-engine',
      'analytics.sink',
      'analytics-kafka',
      {
        consumerVersion: '1.0.0',
        providerVersion: '1.0.0',
        capabilityVersion: '1.0.0',
        port: 8090,
        shard: undefined,
      },
    ],
  ])(
    '%s -> %s -> %s carries versions and the provider endpoint',
    (consumer, capabilityId, provider, want) => {
      const found = desired.filter(
        (b) =>
          b.spec.consumer.module === consumer &&
          b.spec.capabilityId === capabilityId &&
          b.spec.provider.module === provider,
      );
      expect(found).toHaveLength(1);
      expect(found[0].spec).toEqual({
        worldRef: 'arena-eu-1',
        consumer: { module: consumer, version: want.consumerVersion },
        provider: {
          module: provider,
          version: want.providerVersion,
          endpoint: { port: want.port, protocol: want.port === 8090 ? 'http' : 'grpc' },
        },
        capabilityId,
        capabilityVersion: want.capabilityVersion,
        scope: 'world',
        multiplicity: capabilityId === 'analytics.sink' ? 'many' : '1',
        rank: 0,
      });
    },
  );

  describe('a world-shard and a multi-provider "many" requirement (inline replay game)', () => {
    const replay = exampleSet('games', 'replay-1', REPLAY_YAML);
    const planned = desiredBindings(
      replay.world,
      resolve(replay.world, replay.game, replay.manifests),
      replay.manifests,
    );

    it('binds world-shard requirements once per shard, each carrying its shard', () => {
      const checkpoints = planned.filter((b) => b.spec.capabilityId === 'state.checkpoint');
      expect(checkpoints.map((b) => [b.metadata.name, b.spec.shard])).toEqual([
        ['replay-1.replay-recorder.state.checkpoint.physics-rapier.shard-0', 0],
        ['replay-1.replay-recorder.state.checkpoint.physics-rapier.shard-1', 1],
      ]);
      expect(checkpoints[1].spec).toEqual({
        worldRef: 'replay-1',
        consumer: { module: 'replay-recorder', version: '1.0.0' },
        provider: {
          module: 'physics-rapier',
          version: '1.3.0',
          endpoint: { port: 50051, protocol: 'grpc' },
        },
        capabilityId: 'state.checkpoint',
        capabilityVersion: '1.1.0',
        scope: 'world-shard',
        multiplicity: '1',
        rank: 0,
        shard: 1,
      });
    });

    it('writes the rank of each provider of a "many" requirement: highest capability version first', () => {
      const sinks = planned.filter((b) => b.spec.capabilityId === 'analytics.sink');
      expect(
        sinks.map((b) => [
          b.spec.provider.module,
          b.spec.capabilityVersion,
          b.spec.rank,
          b.spec.provider.endpoint.port,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['analytics-archive', '1.2.0', 0, 8081],
          ['analytics-kafka', '1.0.0', 1, 8090],
        ]),
      );
      expect(sinks).toHaveLength(2);
      expect(sinks.every((b) => b.spec.multiplicity === 'many' && b.spec.scope === 'world')).toBe(
        true,
      );
    });

    it('plans nothing else', () => {
      expect(planned).toHaveLength(4);
    });
  });

  it('copies the endpoint host when the manifest names one', () => {
    const withHost = manifests.map((m) =>
      m.spec.module === 'physics-rapier'
        ? { ...m, spec: { ...m.spec, endpoint: { ...m.spec.endpoint, host: 'physics.games.svc' } } }
        : m,
    );
    const physics = desiredBindings(world, resolve(world, game, withHost), withHost).find(
      (b) => b.spec.capabilityId === 'physics.simulation',
    );
    expect(physics?.spec.provider.endpoint).toEqual({
      port: 50051,
      protocol: 'grpc',
      host: 'physics.games.svc',
    });
  });

  it('gives nothing for an unresolved world without bindings', () => {
    expect(desiredBindings(world, { bindings: [], diagnostics: [], participants: [] }, [])).toEqual(
      [],
    );
  });

  it('refuses a resolution that names a manifest it was not given', () => {
    expect(() => desiredBindings(world, resolution, manifests.slice(1))).toThrow(
      InconsistentResolutionError,
    );
  });
});
