import { bindAll } from './bind';
import { readCapabilities } from './capabilities';
import { OfferIndex } from './candidates';
import { ResolveContext } from './context';
import { requiredCycleDiagnostics } from './cycles';
import { compareDiagnostics, diagnostic } from './diagnostics';
import { ParticipantModel } from './model';
import { ChosenManifest, selectParticipants } from './participants';
import { compareStrings, sortStable } from './read';
import {
  Binding,
  DIAGNOSTIC_CODES as D,
  GameDefinition,
  ModuleManifest,
  Participant,
  Resolution,
  WorldInstance,
} from './types';
import { createContext, readGameModules } from './world-input';

/**
 * Resolves a world's capability bindings (docs/resolution.md): picks the participating
 * manifest of each game module, binds every requirement to the providers of the same
 * capability at the same scope whose version satisfies it (best version first, then module
 * name), per shard for world-shard scope, and explains every requirement it cannot bind.
 *
 * Pure and deterministic: the same inputs in any order (manifests, their provides and
 * requires, the game's modules) give deep-equal, JSON-identical output. Never throws, even on
 * malformed input: every problem is a diagnostic.
 */
export function resolve(
  world: WorldInstance,
  game: GameDefinition,
  manifests: ModuleManifest[],
): Resolution {
  const ctx = createContext(world, game);
  const modules = readGameModules(game, ctx);
  const { chosen, outsiders } = selectParticipants(modules, manifests, ctx);
  const participants = chosen.map((manifest) => participantModel(manifest, ctx));
  const { bindings, graph } = bindAll(participants, new OfferIndex(participants, outsiders), ctx);
  ctx.diagnostics.push(...requiredCycleDiagnostics(graph));
  sortStable(bindings, compareBindings);
  reportNameCollisions(bindings, ctx);
  sortStable(ctx.diagnostics, compareDiagnostics);
  return {
    bindings,
    diagnostics: ctx.diagnostics,
    participants: participants.map(({ module, version, manifestName }): Participant => ({
      module,
      version,
      manifestName,
    })),
  };
}

function participantModel(
  { module, version, manifestName, spec }: ChosenManifest,
  ctx: ResolveContext,
): ParticipantModel {
  const { offers, requirements, diagnostics } = readCapabilities(spec, ctx.parse);
  for (const d of diagnostics) ctx.diagnostics.push({ ...d, candidates: [] });
  return { module, version, manifestName, offers, requirements };
}

/** True when no diagnostic is an error: every required capability is bound (the world may still have warnings). */
export function isResolved(resolution: Pick<Resolution, 'diagnostics'>): boolean {
  return !resolution.diagnostics.some((d) => d.severity === 'error');
}

/** Bindings by name; the other fields only matter for (reported) name collisions. */
function compareBindings(a: Binding, b: Binding): number {
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(a.consumer, b.consumer) ||
    compareStrings(a.capabilityId, b.capabilityId) ||
    compareStrings(a.provider, b.provider) ||
    (a.shard ?? -1) - (b.shard ?? -1)
  );
}

function reportNameCollisions(sorted: Binding[], ctx: ResolveContext): void {
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (a.name !== b.name) continue;
    const message = `bindings ${a.consumer} -> ${a.provider} (${a.capabilityId}) and ${b.consumer} -> ${b.provider} (${b.capabilityId}) share the name ${a.name}`;
    ctx.diagnostics.push(
      diagnostic('error', D.bindingNameCollision, a.consumer, a.capabilityId, message),
    );
  }
}
