import {
  API_VERSION,
  type CapabilityBindingSpec,
  type ModuleManifest,
  type Resolution,
  type WorldInstance,
} from '@anvil/capability-model';
import {
  bindingSpecs,
  InconsistentResolutionError as LibraryInconsistency,
  type BindingSpecOf,
} from '@anvil/control-plane';
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
  let specs: BindingSpecOf[];
  try {
    specs = bindingSpecs(world, resolution, manifests);
  } catch (error) {
    if (error instanceof LibraryInconsistency)
      throw new InconsistentResolutionError(error.message, { cause: error });
    throw error;
  }
  const owner = worldOwnerReference(world);
  return specs.map(({ name, spec }) => ({
    apiVersion: API_VERSION,
    kind: 'CapabilityBinding',
    metadata: {
      name,
      namespace: world.metadata.namespace ?? '',
      labels: bindingLabels(world.metadata.name),
      ownerReferences: [owner],
    },
    spec,
  }));
}
