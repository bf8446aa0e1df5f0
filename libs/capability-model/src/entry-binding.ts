import { compare as compareSemver, valid } from 'semver';
import type { ModuleManifest, Participant } from './types';
import { endpointAddress, type WorldBindingAddress } from './world-wiring';

/** The capability players' commands enter a world through (a game module provides it). */
export const ENTRY_CAPABILITY = 'game.interaction';

/** The consumer name of the gateway: the platform's implicit consumer of ENTRY_CAPABILITY. */
export const GATEWAY_CONSUMER = 'gateway';

/**
 * The gateway's binding of a world: which of the world's participants provides
 * ENTRY_CAPABILITY, and where it listens. No module requires that capability, so the resolver
 * makes no CapabilityBinding for it; the data plane still needs to know where each world's
 * commands go. Several providers: the highest capability version, then the module name (the
 * resolver's own tie-break), so equal inputs give the same entry. Null when no participant
 * provides it.
 */
export function entryBinding(
  participants: readonly Participant[],
  manifests: readonly ModuleManifest[],
  namespace: string | undefined,
): WorldBindingAddress | null {
  const byName = new Map(manifests.map((m) => [m.metadata.name, m]));
  const offers = participants.flatMap((participant) => {
    const manifest = byName.get(participant.manifestName);
    const offer = manifest?.spec.provides?.find(
      (p) => p.capabilityId === ENTRY_CAPABILITY && valid(p.version),
    );
    return manifest && offer ? [{ manifest, version: offer.version }] : [];
  });
  offers.sort(
    (a, b) =>
      compareSemver(b.version, a.version) ||
      (a.manifest.spec.module < b.manifest.spec.module ? -1 : 1),
  );
  const chosen = offers[0]?.manifest;
  if (!chosen) return null;
  return {
    capabilityId: ENTRY_CAPABILITY,
    consumer: GATEWAY_CONSUMER,
    provider: chosen.spec.module,
    address: endpointAddress(chosen.spec.endpoint, chosen.spec.module, namespace),
    shard: null,
  };
}
