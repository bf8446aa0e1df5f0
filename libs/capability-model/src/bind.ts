import { composeBindingName } from './binding-name';
import { OfferIndex } from './candidates';
import { ResolveContext } from './context';
import { BindableOffer, ParticipantModel, Requirement } from './model';
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

/**
 * Rules 3-7: binds every requirement of every participant, in canonical order (participants
 * by module, requirements by capability id). Returns the bindings (unsorted) and the graph of
 * required bindings; unresolved requirements become diagnostics in `ctx`.
 */
export function bindAll(
  participants: readonly ParticipantModel[],
  index: OfferIndex,
  ctx: ResolveContext,
) {
  const bindings: Binding[] = [];
  const graph: RequiredGraph = {
    modules: participants.map((p) => p.module),
    from: [],
    to: [],
    capabilityIds: [],
  };
  const unresolved: Requirement[] = [];
  for (const participant of participants) {
    for (const requirement of participant.requirements) {
      if (requirement.scope === 'world-shard' && ctx.shards === null) continue; // InvalidWorld says why
      const chosen = choose(requirement, index.offers(requirement.capabilityId, requirement.scope));
      if (chosen.length === 0) {
        unresolved.push(requirement);
        continue;
      }
      for (const [rank, offer] of chosen.entries()) {
        pushBindings(bindings, requirement, offer, rank, ctx);
        if (requirement.dependencyMode === 'required') {
          graph.from.push(requirement.participant);
          graph.to.push(offer.participant);
          graph.capabilityIds.push(requirement.capabilityId);
        }
      }
    }
  }
  index.nearMisses(unresolved).forEach((nearMisses, i) => {
    ctx.diagnostics.push(unresolvedDiagnostic(unresolved[i], nearMisses, ctx.game));
  });
  return { bindings, graph };
}

/** Rules 3-4: offers are already best first; skip the consumer itself and versions out of range. */
function choose(requirement: Requirement, offers: readonly BindableOffer[]): BindableOffer[] {
  const chosen: BindableOffer[] = [];
  for (const offer of offers) {
    if (offer.module === requirement.consumer || !requirement.range.test(offer.semver)) continue;
    chosen.push(offer);
    if (requirement.multiplicity === '1') break;
  }
  return chosen;
}

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
  for (let i = 0; i < shards; i++) {
    const shard = requirement.scope === 'world-shard' ? i : null;
    const parts = {
      world: ctx.world,
      consumer: requirement.consumer,
      capabilityId: requirement.capabilityId,
      provider: offer.module,
      shard,
    };
    out.push({
      name: composeBindingName(parts, lossless),
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
