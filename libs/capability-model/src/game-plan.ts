import { Match, matchAll } from './bind';
import { OfferIndex } from './candidates';
import { ParseCache, PlanContext } from './context';
import { requiredCycleDiagnostics } from './cycles';
import { compareDiagnostics } from './diagnostics';
import { ParticipantModel } from './model';
import { ChosenManifest, selectParticipants } from './participants';
import { arr, nameOf, sortStable } from './read';
import { readCapabilities } from './capabilities';
import { Diagnostic, Participant } from './types';
import { readGameModules } from './world-input';

/**
 * What a game resolves to against a list of manifests, for every world of it: the world only
 * names the bindings and multiplies the world-shard ones by its shards. Shared: never mutated.
 */
export interface GamePlan {
  participants: readonly Participant[];
  /** In canonical order (participants by module, requirements by capability id). */
  matches: readonly Match[];
  /** Sorted (compareDiagnostics). */
  diagnostics: readonly Diagnostic[];
}

/** Plans kept per game object: a controller resolves with a namespace's manifests, and with held versions during a rollout. */
const PLANS_PER_GAME = 4;

interface PlanEntry {
  manifests: readonly unknown[];
  shardsValid: boolean;
  plan: GamePlan;
}

/**
 * Games and manifests are treated as immutable (see manifest-entry.ts): a changed object is a
 * new object. So a plan is kept per game object and reused while the same manifest objects come
 * in the same order (a controller resolving the many worlds of a game) and the world's shards
 * are as usable; anything else builds a new one.
 */
const plans = new WeakMap<object, PlanEntry[]>();

export function gamePlanOf(game: unknown, manifests: unknown, shardsValid: boolean): GamePlan {
  const list = arr(manifests);
  if (typeof game !== 'object' || game === null) return buildPlan(game, list, shardsValid);
  let entries = plans.get(game);
  if (!entries) plans.set(game, (entries = []));
  const found = entries.find((e) => e.shardsValid === shardsValid && sameItems(e.manifests, list));
  if (found) return found.plan;
  const plan = buildPlan(game, list, shardsValid);
  entries.unshift({ manifests: [...list], shardsValid, plan });
  if (entries.length > PLANS_PER_GAME) entries.pop();
  return plan;
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Rules 1-5 and 8 (docs/resolution.md): participants, matches and the diagnostics of both. */
function buildPlan(game: unknown, manifests: readonly unknown[], shardsValid: boolean): GamePlan {
  const ctx: PlanContext = {
    game: nameOf(game),
    shardsValid,
    parse: new ParseCache(),
    diagnostics: [],
  };
  const modules = readGameModules(game, ctx);
  const { chosen, outsiders } = selectParticipants(modules, manifests, ctx);
  const participants = chosen.map((manifest) => participantModel(manifest, ctx));
  const { matches, graph } = matchAll(participants, new OfferIndex(participants, outsiders), ctx);
  ctx.diagnostics.push(...requiredCycleDiagnostics(graph));
  return {
    participants: participants.map(({ module, version, manifestName }) => ({
      module,
      version,
      manifestName,
    })),
    matches,
    diagnostics: sortStable(ctx.diagnostics, compareDiagnostics),
  };
}

function participantModel(
  { module, version, manifestName, spec }: ChosenManifest,
  ctx: PlanContext,
): ParticipantModel {
  const { offers, requirements, diagnostics } = readCapabilities(spec, ctx.parse);
  for (const d of diagnostics) ctx.diagnostics.push({ ...d, candidates: [] });
  return { module, version, manifestName, offers, requirements };
}
