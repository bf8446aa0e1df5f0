import type { CapabilityBindingSpec, ModuleEndpoint, ObjectMeta } from './types';

/** The pattern of a world id: what the engine contract, the bus and storage accept. */
export const WORLD_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The id the data plane (engines, bus keys, storage, players) knows a WorldInstance by: its
 * name, or `namespace:name` outside the `default` namespace. The controller and the embedded
 * host both use it, so a world has the same id in either mode.
 */
export function worldIdOf(metadata: Pick<ObjectMeta, 'name' | 'namespace'>): string {
  const namespace = metadata.namespace || 'default';
  return namespace === 'default' ? metadata.name : `${namespace}:${metadata.name}`;
}

/**
 * Where a provider is reached (`host:port`): the endpoint's host when the manifest names one,
 * otherwise the provider module's Service in the manifest's namespace — deploy/ gives each
 * module a Service named after it on its endpoint port.
 */
export function endpointAddress(
  endpoint: ModuleEndpoint,
  module: string,
  namespace: string | undefined,
): string {
  const host = endpoint.host || `${module}.${namespace || 'default'}.svc`;
  return `${host}:${endpoint.port}`;
}

/** A world's binding as the data plane needs it: who requires what, and where its provider is. */
export interface WorldBindingAddress {
  capabilityId: string;
  consumer: string;
  provider: string;
  address: string;
  shard: number | null;
}

/** The addresses of a world's CapabilityBindings, sorted so equal inputs give equal lists. */
export function bindingAddresses(
  bindings: ReadonlyArray<{ metadata: Pick<ObjectMeta, 'namespace'>; spec: CapabilityBindingSpec }>,
): WorldBindingAddress[] {
  return bindings
    .map(({ metadata, spec }) => ({
      capabilityId: spec.capabilityId,
      consumer: spec.consumer.module,
      provider: spec.provider.module,
      address: endpointAddress(spec.provider.endpoint, spec.provider.module, metadata.namespace),
      shard: spec.shard ?? null,
    }))
    .sort(
      (a, b) =>
        compare(a.consumer, b.consumer) ||
        compare(a.capabilityId, b.capabilityId) ||
        (a.shard ?? -1) - (b.shard ?? -1) ||
        compare(a.provider, b.provider),
    );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
