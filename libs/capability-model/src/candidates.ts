import { Outsider } from './participants';
import { BindableOffer, Offer, ParticipantModel, Requirement } from './model';
import { compareStrings, dropRepeats, sortStable } from './read';
import { Candidate, CANDIDATE_REASONS as R } from './types';
import { compareCandidates } from './diagnostics';

const EMPTY: readonly Offer[] = [];

/**
 * Rule 2: the participants' offers indexed by capabilityId, each list sorted the way rule 4
 * orders candidates (capability version descending, then module name), offers without a valid
 * version last. Also answers "why did nothing bind?" with the near misses of a requirement.
 */
export class OfferIndex {
  private readonly byCapability = new Map<string, Offer[]>();

  constructor(
    participants: readonly ParticipantModel[],
    private readonly outsiders: readonly Outsider[],
  ) {
    for (const { offers } of participants) {
      for (const offer of offers) push(this.byCapability, offer.capabilityId, offer);
    }
    for (const list of this.byCapability.values()) sortStable(list, compareVersionedFirst);
  }

  /** Offers of this capability (at any scope), best first: version desc, then module. */
  offers(capabilityId: string): readonly Offer[] {
    return this.byCapability.get(capabilityId) ?? EMPTY;
  }

  /**
   * Rule 5: for each requirement nothing satisfied, every offer of its capability that came
   * close, with why it did not bind (an offer at the same scope with a valid version is then
   * necessarily outside the range), plus offers of modules outside the game. Each list is
   * sorted by module, version, without repeats; only its first `limit` candidates are built.
   */
  nearMisses(requirements: readonly Requirement[], limit: number): NearMisses[] {
    const wanted = new Set<string>();
    for (const { capabilityId } of requirements) wanted.add(capabilityId);
    const outside = this.outsiderCandidates(wanted);
    return requirements.map((requirement) => {
      const inGame = (this.byCapability.get(requirement.capabilityId) ?? []).map(
        (offer): Candidate => ({
          module: offer.module,
          version: offer.version,
          scope: offer.scope,
          reason: reasonOf(offer, requirement),
        }),
      );
      sortStable(inGame, compareCandidates);
      // Participants have one offer per capability and are never outsiders, so the two
      // sorted lists hold no repeats between or within them: merging them is enough.
      const notInGame = outside.get(requirement.capabilityId) ?? [];
      return {
        candidates: mergeSorted(inGame, notInGame, limit),
        count: inGame.length + notInGame.length,
      };
    });
  }

  /**
   * NotInGame candidates of the wanted capabilities, offered by modules outside the game:
   * per capability, sorted and without repeats. Shared between requirements, so copy them.
   */
  private outsiderCandidates(wanted: ReadonlySet<string>): Map<string, Candidate[]> {
    const found = new Map<string, Candidate[]>();
    if (wanted.size === 0) return found;
    for (const outsider of this.outsiders) {
      for (const { capabilityId, candidate } of outsider.notInGame) {
        if (wanted.has(capabilityId)) push(found, capabilityId, candidate);
      }
    }
    for (const list of found.values())
      dropRepeats(sortStable(list, compareCandidates), compareCandidates);
    return found;
  }
}

/** The near misses of one requirement: the first candidates, and how many there are in all. */
export interface NearMisses {
  candidates: Candidate[];
  count: number;
}

/** The first `limit` items of two sorted lists, merged; items of `shared` are copied. */
function mergeSorted(own: Candidate[], shared: readonly Candidate[], limit: number): Candidate[] {
  const merged: Candidate[] = [];
  let [i, j] = [0, 0];
  while (merged.length < limit && (i < own.length || j < shared.length)) {
    if (j === shared.length || (i < own.length && compareCandidates(own[i], shared[j]) < 0)) {
      merged.push(own[i++]);
    } else merged.push({ ...shared[j++] });
  }
  return merged;
}

function reasonOf(offer: Offer, requirement: Requirement): string {
  if (offer.module === requirement.consumer) return R.selfProvided;
  if (offer.scope !== requirement.scope) return R.scopeMismatch;
  if (!offer.semver) return R.invalidVersion;
  return R.versionOutOfRange;
}

/** Offers with a valid version first, in rule 4's order (the others' order does not matter). */
function compareVersionedFirst(a: Offer, b: Offer): number {
  if (a.semver && b.semver) return compareOffers(a as BindableOffer, b as BindableOffer);
  return Number(a.semver === null) - Number(b.semver === null);
}

/** Rule 4's order: capability version descending, then module name (then version text). */
export function compareOffers(a: BindableOffer, b: BindableOffer): number {
  return (
    b.semver.compare(a.semver) ||
    compareStrings(a.module, b.module) ||
    compareStrings(a.version, b.version)
  );
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
