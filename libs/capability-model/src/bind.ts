import { composeBindingName } from './binding-name';
import { OfferIndex } from './candidates';
import { ParseCache, PlanContext, ResolveContext } from './context';
import { MAX_CANDIDATES } from './diagnostics';
import { BindableOffer, Offer, ParticipantModel, Requirement } from './model';
import { Binding } from './types';
import { unresolvedDiagnostic } from './unresolved';

/**
 * Who requires whom through required bindings, for cycle detection: edge i goes from
 * participant from[i] to participant to[i] for capabilityIds[i]. Vertices are participant
 * indexes, and participants are sorted by module name.
 */
export interface RequiredGraph {
  modules: string[];
  from: number[];
  to: number[];
  capabilityIds: string[];
}

/** A requirement bound to one of its providers, ranked among them (0 = best). */
export interface Match {
  requirement: Requirement;
  offer: BindableOffer;
  rank: number;
}

/**
 * Rules 3-5: binds every requirement of every participant, in canonical order (participants
 * by module, requirements by capability id). Returns the matches and the graph of required
 * bindings; unresolved requirements become diagnostics in `ctx`. Nothing here depends on the
 * world but whether its shards are usable, so a game's matches serve all its worlds.
 */
export function matchAll(
  participants: readonly ParticipantModel[],
  index: OfferIndex,
  ctx: PlanContext,
) {
  const matches: Match[] = [];
  const graph: RequiredGraph = {
    modules: participants.map((p) => p.module),
    from: [],
    to: [],
    capabilityIds: [],
  };
  const participantOf = new Map<string, number>();
  participants.forEach(({ module }, i) => participantOf.set(module, i));
  const unresolved: Requirement[] = [];
  for (let consumer = 0; consumer < participants.length; consumer++) {
    for (const requirement of participants[consumer].requirements) {
      if (requirement.scope === 'world-shard' && !ctx.shardsValid) continue; // InvalidWorld says why
      let rank = 0;
      for (const offer of index.offers(requirement.capabilityId)) {
        if (!binds(requirement, offer, ctx.parse)) continue;
        matches.push({ requirement, offer, rank: rank++ });
        if (requirement.dependencyMode === 'required') {
          graph.from.push(consumer);
          graph.to.push(participantOf.get(offer.module) as number);
          graph.capabilityIds.push(requirement.capabilityId);
        }
        if (requirement.multiplicity === '1') break;
      }
      if (rank === 0) unresolved.push(requirement);
    }
  }
  index.nearMisses(unresolved, MAX_CANDIDATES).forEach((nearMisses, i) => {
    ctx.diagnostics.push(unresolvedDiagnostic(unresolved[i], nearMisses, ctx.game));
  });
  return { matches, graph };
}

/** Rules 6-7: a world's bindings for the matches (unsorted), one per shard for world-shard scope. */
export function bindingsOf(matches: readonly Match[], ctx: ResolveContext): Binding[] {
  const bindings: Binding[] = [];
  for (const { requirement, offer, rank } of matches)
    pushBindings(bindings, requirement, offer, rank, ctx);
  return bindings;
}

/**
 * Rules 3-4 (offers come best first): the same scope (a requirement's scope is a known one),
 * a valid version in range, and never the consumer itself.
 */
function binds(requirement: Requirement, offer: Offer, parse: ParseCache): offer is BindableOffer {
  return (
    offer.scope === requirement.scope &&
    offer.semver !== null &&
    offer.module !== requirement.consumer &&
    parse.satisfies(requirement.range, offer.semver)
  );
}

const shardName = (stem: string, shard: number) => `${stem}.shard-${shard}`;

/** Rules 6-7: one binding (ranked among the requirement's providers), or one per shard for world-shard scope, each with its stable name. */
function pushBindings(
  out: Binding[],
  requirement: Requirement,
  offer: BindableOffer,
  rank: number,
  ctx: ResolveContext,
): void {
  const shards = requirement.scope === 'world-shard' ? (ctx.shards ?? 0) : 1;
  const lossless = ctx.worldNameSafe && requirement.nameSafe && offer.nameSafe;
  // The readable name (see binding-name.ts), concatenated: a rope until sorting compares it.
  const stem = `${ctx.world}.${requirement.consumer}.${requirement.capabilityId}.${offer.module}`;
  for (let i = 0; i < shards; i++) {
    const shard = requirement.scope === 'world-shard' ? i : null;
    const readable = shard === null ? stem : shardName(stem, shard);
    const parts = () => ({
      world: ctx.world,
      consumer: requirement.consumer,
      capabilityId: requirement.capabilityId,
      provider: offer.module,
      shard,
    });
    out.push({
      name: composeBindingName(parts, lossless, readable),
      world: ctx.world,
      consumer: requirement.consumer,
      capabilityId: requirement.capabilityId,
      provider: offer.module,
      providerVersion: offer.version,
      scope: requirement.scope,
      multiplicity: requirement.multiplicity,
      rank,
      shard,
    });
  }
}
