import { Outsider } from './participants';
import { BindableOffer, Offer, ParticipantModel, Requirement } from './model';
import { arr, compareStrings, field, str } from './read';
import { Candidate, CANDIDATE_REASONS as R, SCOPES } from './types';
import { compareCandidates } from './diagnostics';

const EMPTY: readonly BindableOffer[] = [];

/**
 * Rule 2: the participants' offers indexed by (capabilityId, scope), each list sorted the way
 * rule 4 orders candidates: capability version descending, then module name. Also answers
 * "why did nothing bind?" with the near misses of a requirement.
 */
export class OfferIndex {
  /** scope -> capabilityId -> offers (two levels: no key strings built per lookup). */
  private readonly bindable = new Map<string, Map<string, BindableOffer[]>>();
  private readonly byCapability = new Map<string, Offer[]>();

  constructor(
    participants: readonly ParticipantModel[],
    private readonly outsiders: readonly Outsider[],
  ) {
    for (const { offers } of participants) {
      for (const offer of offers) {
        push(this.byCapability, offer.capabilityId, offer);
        if (offer.semver && (SCOPES as readonly string[]).includes(offer.scope)) {
          let byId = this.bindable.get(offer.scope);
          if (!byId) this.bindable.set(offer.scope, (byId = new Map()));
          push(byId, offer.capabilityId, offer as BindableOffer);
        }
      }
    }
    for (const byId of this.bindable.values())
      for (const list of byId.values()) list.sort(compareOffers);
  }

  /** Offers of this capability at this scope, best first (version desc, then module). */
  offers(capabilityId: string, scope: string): readonly BindableOffer[] {
    return this.bindable.get(scope)?.get(capabilityId) ?? EMPTY;
  }

  /**
   * Rule 5: for each requirement nothing satisfied, every offer of its capability that came
   * close, with why it did not bind (an offer at the same scope with a valid version is then
   * necessarily outside the range), plus offers of modules outside the game. Each list is
   * sorted by module, version, without repeats.
   */
  nearMisses(requirements: readonly Requirement[]): Candidate[][] {
    const outside = this.outsiderOffers(new Set(requirements.map((r) => r.capabilityId)));
    return requirements.map((requirement) => {
      const found: Candidate[] = [];
      for (const offer of this.byCapability.get(requirement.capabilityId) ?? []) {
        found.push({
          module: offer.module,
          version: offer.version,
          scope: offer.scope,
          reason: reasonOf(offer, requirement),
        });
      }
      for (const c of outside.get(requirement.capabilityId) ?? []) found.push({ ...c });
      found.sort(compareCandidates);
      return found.filter((c, i) => i === 0 || compareCandidates(found[i - 1], c) !== 0);
    });
  }

  /** Offers of the wanted capabilities by modules outside the game, in one pass over their manifests. */
  private outsiderOffers(wanted: ReadonlySet<string>): Map<string, Candidate[]> {
    const found = new Map<string, Candidate[]>();
    if (wanted.size === 0) return found;
    for (const spec of this.outsiders) {
      for (const item of arr(spec['provides'])) {
        const capabilityId = field(item, 'capabilityId');
        if (typeof capabilityId !== 'string' || !wanted.has(capabilityId)) continue;
        const candidate = {
          module: str(spec['module']) ?? '',
          version: str(field(item, 'version')) ?? '',
          scope: str(field(item, 'scope')) ?? '',
          reason: R.notInGame,
        };
        push(found, capabilityId, candidate);
      }
    }
    return found;
  }
}

function reasonOf(offer: Offer, requirement: Requirement): string {
  if (offer.module === requirement.consumer) return R.selfProvided;
  if (offer.scope !== requirement.scope) return R.scopeMismatch;
  if (!offer.semver) return R.invalidVersion;
  return R.versionOutOfRange;
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
