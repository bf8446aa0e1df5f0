import {
  API_VERSION,
  type Binding,
  type CapabilityBindingSpec,
  type ModuleEndpoint,
  type ModuleManifest,
  type Resolution,
  type WorldInstance,
} from '@anvil/capability-model';
import { InconsistentResolutionError } from '../errors/errors';
import type { OwnerReference } from '../informers/kube-object';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, WORLD_LABEL } from '../mapping/labels';

/** A CapabilityBinding as this controller writes it (server-side apply body). */
export interface BindingObject {
  apiVersion: typeof API_VERSION;
  kind: 'CapabilityBinding';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: OwnerReference[];
  };
  spec: CapabilityBindingSpec;
}

/** The labels every binding of `world` carries (selectors and the by-world index use them). */
export function bindingLabels(worldName: string): Record<string, string> {
  return { [WORLD_LABEL]: worldName, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
}

/** The controller owner reference to the world: bindings go with it (garbage collector). */
export function worldOwnerReference(world: WorldInstance): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'WorldInstance',
    name: world.metadata.name,
    uid: world.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The CapabilityBinding objects a world should have: one per planned binding of `resolution`,
 * named by the binding's stable name, labelled with the world and our manager, owned by the
 * world, with versions from the participating manifests and the provider's endpoint. Pure;
 * sorted by name like the resolution. Throws InconsistentResolutionError when the resolution
 * names a participant that `manifests` do not contain (they must be the resolver's input).
 */
export function desiredBindings(
  world: WorldInstance,
  resolution: Resolution,
  manifests: readonly ModuleManifest[],
): BindingObject[] {
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
  const owner = worldOwnerReference(world);
  return resolution.bindings.map((binding) => ({
    apiVersion: API_VERSION,
    kind: 'CapabilityBinding',
    metadata: {
      name: binding.name,
      namespace: world.metadata.namespace ?? '',
      labels: bindingLabels(world.metadata.name),
      ownerReferences: [owner],
    },
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
