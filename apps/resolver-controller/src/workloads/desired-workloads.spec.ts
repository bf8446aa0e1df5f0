import type { CachedBinding, CachedManifest } from '../mapping/cluster-cache';
import { exampleSet } from '../testing/fixtures';
import { bindingVersions, desiredWorkloads, WORKLOAD_LABEL } from './desired-workloads';

const { manifests } = exampleSet('games');
const manifest = (name: string) => manifests.find((m) => m.metadata.name === name)!;

/** A binding of `consumer` to `provider` ("module@version") in `namespace`. */
function binding(consumer: string, provider: string, namespace = 'games'): CachedBinding {
  const [cm, cv] = consumer.split('@');
  const [pm, pv] = provider.split('@');
  return {
    apiVersion: 'anvil.dev/v1alpha1',
    kind: 'CapabilityBinding',
    metadata: { name: `${cm}-${pm}`, namespace, uid: `uid-${cm}-${pm}`, resourceVersion: '1' },
    spec: {
      worldRef: 'arena-eu-1',
      consumer: { module: cm, version: cv },
      provider: { module: pm, version: pv, endpoint: { port: 50051, protocol: 'grpc' } },
      capabilityId: 'physics.simulation',
      capabilityVersion: '1.4.0',
      scope: 'world',
      multiplicity: '1',
      rank: 0,
    },
  } as CachedBinding;
}

describe('desiredWorkloads', () => {
  it('runs exactly the module versions some binding names, as provider or consumer', () => {
    const bindings = [binding('interaction-engine@1.0.0', 'physics-rapier@1.3.0')];
    const names = desiredWorkloads(manifests, bindingVersions(bindings)).map((w) => w.name);
    expect(names).toEqual(['interaction-engine-1-0-0', 'physics-rapier-1-3-0']);
    // Another namespace's binding does not run this namespace's manifests.
    const elsewhere = bindingVersions([binding('a@1.0.0', 'physics-rapier@1.3.0', 'x')]);
    expect(desiredWorkloads(manifests, elsewhere)).toEqual([]);
    expect(desiredWorkloads(manifests, [])).toEqual([]);
  });

  it('runs a version a world is wanted on before any binding names it', () => {
    const wanted = { namespace: 'games', module: 'physics-rapier', version: '1.3.0' };
    expect(desiredWorkloads(manifests, [wanted]).map((w) => w.name)).toEqual([
      'physics-rapier-1-3-0',
    ]);
  });

  it("builds a Deployment and a headless Service from the manifest's image and endpoint, owned by it", () => {
    const physics = manifest('physics-rapier-1.3.0');
    const [workload] = desiredWorkloads(
      [physics],
      bindingVersions([binding('interaction-engine@1.0.0', 'physics-rapier@1.3.0')]),
    );
    const owner = {
      apiVersion: 'anvil.dev/v1alpha1',
      kind: 'ModuleManifest',
      name: 'physics-rapier-1.3.0',
      uid: 'uid-physics-rapier-1.3.0',
      controller: true,
      blockOwnerDeletion: true,
    };
    expect(workload.deployment).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'physics-rapier-1-3-0',
        namespace: 'games',
        ownerReferences: [owner],
        labels: { 'app.kubernetes.io/version': '1.3.0', [WORKLOAD_LABEL]: 'physics-rapier-1-3-0' },
      },
      spec: {
        selector: { matchLabels: { [WORKLOAD_LABEL]: 'physics-rapier-1-3-0' } },
        template: {
          spec: {
            containers: [
              {
                image: physics.spec.image,
                ports: [{ name: 'grpc', containerPort: physics.spec.endpoint.port }],
              },
            ],
          },
        },
      },
    });
    expect(workload.service).toMatchObject({
      kind: 'Service',
      metadata: { name: 'physics-rapier-1-3-0', ownerReferences: [owner] },
      spec: {
        clusterIP: 'None',
        selector: { [WORKLOAD_LABEL]: 'physics-rapier-1-3-0' },
        ports: [{ port: physics.spec.endpoint.port }],
      },
    });
  });

  it('leaves out a manifest that has no uid yet (its owner reference could not name it)', () => {
    const unsaved = { ...manifest('physics-rapier-1.3.0') } as CachedManifest;
    unsaved.metadata = { ...unsaved.metadata, uid: undefined as unknown as string };
    expect(
      desiredWorkloads(
        [unsaved],
        bindingVersions([binding('interaction-engine@1.0.0', 'physics-rapier@1.3.0')]),
      ),
    ).toEqual([]);
  });
});
