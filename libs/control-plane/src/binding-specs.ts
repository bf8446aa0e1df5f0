import type {
  Binding,
  CapabilityBindingSpec,
  ModuleEndpoint,
  ModuleManifest,
  Resolution,
  WorldInstance,
} from '@anvil/capability-model';

/** The resolution refers to something its own inputs do not contain (a bug, never retried). */
export class InconsistentResolutionError extends Error {
  override name = 'InconsistentResolutionError';
}

/** One CapabilityBinding a world should have: its stable name and its spec. */
export interface BindingSpecOf {
  name: string;
  spec: CapabilityBindingSpec;
}

/**
 * The spec of every planned binding of `resolution`, in the resolution's order: versions from
 * the participating manifests and the provider's endpoint. The controller writes them as
 * CapabilityBinding objects; the embedded host records them for its gateway. Throws
 * InconsistentResolutionError when the resolution names a participant that `manifests` do not
 * contain (they must be the resolver's input).
 */
export function bindingSpecs(
  world: WorldInstance,
  resolution: Resolution,
  manifests: readonly ModuleManifest[],
): BindingSpecOf[] {
  const byName = new Map(manifests.map((m) => [m.metadata.name, m]));
  const participants = new Map(
    resolution.participants.map((p) => {
      const manifest = byName.get(p.manifestName);
      if (!manifest)
        throw new InconsistentResolutionError(
          `participant ${p.module} ${p.version}: manifest ${p.manifestName} is not among the inputs`,
        );
      return [p.module, { version: p.version, endpoint: manifest.spec.endpoint }] as const;
    }),
  );
  const participant = (module: string) => {
    const found = participants.get(module);
    if (!found)
      throw new InconsistentResolutionError(
        `binding refers to module ${module}, which does not participate`,
      );
    return found;
  };
  return resolution.bindings.map((binding) => ({
    name: binding.name,
    spec: bindingSpec(
      world.metadata.name,
      binding,
      participant(binding.consumer).version,
      participant(binding.provider),
    ),
  }));
}

function bindingSpec(
  worldRef: string,
  b: Binding,
  consumerVersion: string,
  provider: { version: string; endpoint: ModuleEndpoint },
): CapabilityBindingSpec {
  const spec: CapabilityBindingSpec = {
    worldRef,
    consumer: { module: b.consumer, version: consumerVersion },
    provider: {
      module: b.provider,
      version: provider.version,
      endpoint: endpointOf(provider.endpoint),
    },
    capabilityId: b.capabilityId,
    capabilityVersion: b.providerVersion,
    scope: b.scope,
    multiplicity: b.multiplicity,
    rank: b.rank,
  };
  if (b.shard !== null) spec.shard = b.shard;
  return spec;
}

/** port and protocol, and host when the manifest names one (consumers default it otherwise). */
function endpointOf(endpoint: ModuleEndpoint | undefined): ModuleEndpoint {
  const out: ModuleEndpoint = {
    port: endpoint?.port as number,
    protocol: endpoint?.protocol as ModuleEndpoint['protocol'],
  };
  if (typeof endpoint?.host === 'string' && endpoint.host !== '') out.host = endpoint.host;
  return out;
}
