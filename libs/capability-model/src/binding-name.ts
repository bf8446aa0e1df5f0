import { fnv1a32Hex } from './fnv1a';
import { CAPABILITY_ID_MAX, DNS1123_SUBDOMAIN_MAX, isDnsLabel, isDnsSubdomain } from './patterns';

/** What a binding's name is derived from. */
export interface BindingNameParts {
  world: string;
  consumer: string;
  capabilityId: string;
  provider: string;
  /** Shard index for world-shard scope, null otherwise. */
  shard: number | null;
}

const SHARD_LABEL = /^shard-[0-9]+$/;
const HASH_SUFFIX_LENGTH = 9; // '-' + 8 hex digits

/**
 * The stable name of a binding: `<world>.<consumer>.<capabilityId>.<provider>[.shard-N]`,
 * a DNS-1123 subdomain of at most 253 characters, so reconciling twice names the same
 * objects. Parts that are already clean give exactly that readable name. When that could be
 * ambiguous or invalid (a dotted world name, characters that need replacing, a provider
 * named like `shard-N`, more than 253 characters), the name is the sanitised, truncated
 * readable form plus `-` and the FNV-1a hash of the exact parts, so distinct parts still
 * get distinct names (up to hash collisions, which the resolver reports).
 */
export function bindingName(parts: BindingNameParts): string {
  return composeBindingName(() => parts, isLossless(parts), readableName(parts));
}

/**
 * bindingName for the resolver, which already knows whether the parts are lossless (it checks
 * each module and capability once, not once per binding) and has their readable name
 * (`readableName(parts)`); the parts themselves are only needed for a hashed name.
 */
export function composeBindingName(
  parts: () => BindingNameParts,
  lossless: boolean,
  readable: string,
): string {
  if (lossless && readable.length <= DNS1123_SUBDOMAIN_MAX) return readable;
  return hashedName(parts(), readable);
}

/** A world name usable as-is: one DNS-1123 label. */
export const isSafeWorldSegment = (world: string): boolean => isDnsLabel(world);

/** A module name usable as-is: a DNS-1123 label that cannot be mistaken for the shard suffix. */
export const isSafeModuleSegment = (module: string): boolean =>
  isDnsLabel(module) && !SHARD_LABEL.test(module);

/** A capability id usable as-is. */
export const isSafeCapabilitySegment = (id: string): boolean =>
  id.length <= CAPABILITY_ID_MAX && isDnsSubdomain(id);

function readableName({
  world,
  consumer,
  capabilityId,
  provider,
  shard,
}: BindingNameParts): string {
  const base = `${world}.${consumer}.${capabilityId}.${provider}`;
  return shard === null ? base : `${base}.shard-${shard}`;
}

/**
 * True when the readable name is valid and parses back into exactly these parts: module
 * names and the world are single labels, so the capability id is everything in between.
 */
function isLossless({ world, consumer, capabilityId, provider, shard }: BindingNameParts): boolean {
  return (
    isSafeWorldSegment(world) &&
    isSafeModuleSegment(consumer) &&
    isSafeModuleSegment(provider) &&
    isSafeCapabilitySegment(capabilityId) &&
    (shard === null || (Number.isSafeInteger(shard) && shard >= 0))
  );
}

function hashedName(parts: BindingNameParts, readable: string): string {
  const key = JSON.stringify([
    parts.world,
    parts.consumer,
    parts.capabilityId,
    parts.provider,
    parts.shard,
  ]);
  const hash = fnv1a32Hex(key);
  const prefix = sanitise(readable)
    .slice(0, DNS1123_SUBDOMAIN_MAX - HASH_SUFFIX_LENGTH)
    .replace(/[-.]+$/, '');
  return prefix ? `${prefix}-${hash}` : hash;
}

/** Lowercases, replaces anything but [a-z0-9.-] by '-', trims each label's '-' and drops empty labels. */
function sanitise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .split('.')
    .map((label) => label.replace(/^-+|-+$/g, ''))
    .filter((label) => label !== '')
    .join('.');
}
