import type { Range, SemVer } from 'semver';
import { DependencyMode, Multiplicity, Scope } from './types';

/**
 * A capability offered by a module, as read from its manifest (possibly unusable). Offers and
 * requirements are read once per manifest and shared by every resolution: never mutated.
 */
export interface Offer {
  module: string;
  capabilityId: string;
  /** As written; may be an unknown scope (then the offer only shows up as a near miss). */
  scope: string;
  /** As written ('' when not a string). */
  version: string;
  /** Null when the version is not valid SemVer (then the offer only shows up as a near miss). */
  semver: SemVer | null;
  /** True when the module name can be used as-is in binding names. */
  nameSafe: boolean;
}

/** An offer that can be bound: known scope, valid version. */
export type BindableOffer = Offer & { scope: Scope; semver: SemVer };

/** A usable requirement of a participating module. */
export interface Requirement {
  consumer: string;
  capabilityId: string;
  scope: Scope;
  versionConstraint: string;
  range: Range;
  multiplicity: Multiplicity;
  dependencyMode: DependencyMode;
  /** True when the consumer and capability id can be used as-is in binding names. */
  nameSafe: boolean;
}

/** A participating module with its usable offers and requirements. */
export interface ParticipantModel {
  module: string;
  version: string;
  manifestName: string;
  offers: Offer[];
  requirements: Requirement[];
}
