import { bindingsOf } from './bind';
import { ResolveContext } from './context';
import { compareDiagnostics, diagnostic } from './diagnostics';
import { gamePlanOf } from './game-plan';
import { compareStrings, sortStable } from './read';
import {
  Binding,
  DIAGNOSTIC_CODES as D,
  Diagnostic,
  GameDefinition,
  ModuleManifest,
  Resolution,
  WorldInstance,
} from './types';
import { createContext } from './world-input';

/**
 * Resolves a world's capability bindings (docs/resolution.md): picks the participating
 * manifest of each game module, binds every requirement to the providers of the same
 * capability at the same scope whose version satisfies it (best version first, then module
 * name), per shard for world-shard scope, and explains every requirement it cannot bind.
 *
 * Pure and deterministic: the same inputs in any order (manifests, their provides and
 * requires, the game's modules) give deep-equal, JSON-identical output. Never throws, even on
 * malformed input: every problem is a diagnostic. The part that does not depend on the world
 * is worked out once per game and list of manifests (game-plan.ts); every result is made of
 * fresh objects all the same.
 */
export function resolve(
  world: WorldInstance,
  game: GameDefinition,
  manifests: ModuleManifest[],
): Resolution {
  const ctx = createContext(world);
  const plan = gamePlanOf(game, manifests, ctx.shards !== null);
  const bindings = bindingsOf(plan.matches, ctx);
  sortStable(bindings, compareBindings);
  reportNameCollisions(bindings, ctx);
  return {
    bindings,
    diagnostics: mergeSorted(sortStable(ctx.diagnostics, compareDiagnostics), plan.diagnostics),
    participants: plan.participants.map(({ module, version, manifestName }) => ({
      module,
      version,
      manifestName,
    })),
  };
}

/** The world's own diagnostics (sorted) merged with copies of the plan's (sorted). */
function mergeSorted(own: Diagnostic[], shared: readonly Diagnostic[]): Diagnostic[] {
  const merged: Diagnostic[] = [];
  let [i, j] = [0, 0];
  while (i < own.length || j < shared.length) {
    if (j === shared.length || (i < own.length && compareDiagnostics(own[i], shared[j]) <= 0)) {
      merged.push(own[i++]);
    } else merged.push(copyOf(shared[j++]));
  }
  return merged;
}

const copyOf = (d: Diagnostic): Diagnostic => ({
  ...d,
  candidates: d.candidates.map((c) => ({ ...c })),
});

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
