import { resolve } from '@anvil/capability-model';
import { bindingSpecs, InconsistentResolutionError } from './binding-specs';
import { exampleSet } from './testing/fixtures';

const { manifests, game, world } = exampleSet('ns');
const resolution = resolve(world, game, manifests);

describe('bindingSpecs', () => {
  it('gives every binding its name and a spec with versions and the provider endpoint', () => {
    const specs = bindingSpecs(world, resolution, manifests);
    expect(specs.map((s) => s.name)).toEqual(resolution.bindings.map((b) => b.name));
    const physics = specs.find((s) => s.spec.capabilityId === 'physics.simulation');
    expect(physics?.spec).toMatchObject({
      worldRef: world.metadata.name,
      consumer: { module: 'interaction-engine', version: '1.0.0' },
      provider: { module: 'physics-rapier', endpoint: { port: 50051, protocol: 'grpc' } },
    });
  });

  it('refuses a resolution whose participants are not among the manifests', () => {
    expect(() => bindingSpecs(world, resolution, manifests.slice(1))).toThrow(
      InconsistentResolutionError,
    );
  });
});
