import type { SemVer } from 'semver';
import { ParseCache } from './context';
import { diagnostic } from './diagnostics';
import { arr, field, isRecord, nameOf, str } from './read';
import { Candidate, CANDIDATE_REASONS as R, Diagnostic, DIAGNOSTIC_CODES as D } from './types';

/** A manifest the resolver can use: a ModuleManifest whose spec has a non-empty `module`. */
export interface ModuleEntry {
  module: string;
  /** spec.version as written ('' when not a string). */
  version: string;
  /** spec.version parsed; null when it is not valid SemVer. */
  semver: SemVer | null;
  manifestName: string;
  spec: Record<string, unknown>;
  /** Its offers as near misses of worlds whose game does not include the module. */
  notInGame: NotInGameOffer[];
}

/** An offer of a module outside the game: a NotInGame candidate for requirements of its capability. */
export interface NotInGameOffer {
  capabilityId: string;
  /** Shared by every resolution: report copies, never this object. */
  candidate: Candidate;
}

/** A manifest as read: a usable entry, or the warning that says why it is ignored. */
export type Listing = ModuleEntry | Diagnostic;

export const isModuleEntry = (listing: Listing): listing is ModuleEntry => 'spec' in listing;

/**
 * Manifests are treated as immutable (the controller's informer cache replaces an object when
 * it changes, and resolve() never writes to its inputs), so each manifest object is read once
 * and what is read is kept as long as the object lives. Everything kept is derived from that
 * object alone, never from the world, the game or the other manifests.
 */
const listings = new WeakMap<object, Listing>();
const parse = new ParseCache();

/** What the resolver reads of one manifest, once per manifest object. */
export function listingOf(manifest: unknown): Listing {
  if (typeof manifest !== 'object' || manifest === null) return readListing(manifest);
  let listing = listings.get(manifest);
  if (!listing) listings.set(manifest, (listing = readListing(manifest)));
  return listing;
}

function readListing(manifest: unknown): Listing {
  const spec = field(manifest, 'spec');
  const module = isRecord(spec) ? str(spec['module']) : undefined;
  if (!isRecord(spec) || !module || field(manifest, 'kind') !== 'ModuleManifest') {
    const what =
      field(manifest, 'kind') !== 'ModuleManifest'
        ? 'is not a ModuleManifest'
        : 'has no spec.module';
    const message = `manifest "${nameOf(manifest)}" ${what}; ignored`;
    return diagnostic('warning', D.invalidManifest, module ?? '', '', message);
  }
  const version = str(spec['version']) ?? '';
  return {
    module,
    version,
    semver: parse.version(version),
    manifestName: nameOf(manifest),
    spec,
    notInGame: readNotInGameOffers(module, spec),
  };
}

/** Every `provides` entry with a capability id, unvalidated (near misses show what is written). */
function readNotInGameOffers(module: string, spec: Record<string, unknown>): NotInGameOffer[] {
  const offers: NotInGameOffer[] = [];
  for (const item of arr(spec['provides'])) {
    const capabilityId = field(item, 'capabilityId');
    if (typeof capabilityId !== 'string') continue;
    const candidate = {
      module,
      version: str(field(item, 'version')) ?? '',
      scope: str(field(item, 'scope')) ?? '',
      reason: R.notInGame,
    };
    offers.push({ capabilityId, candidate });
  }
  return offers;
}
