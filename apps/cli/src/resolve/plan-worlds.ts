import {
  Binding,
  Diagnostic,
  GameDefinition,
  ModuleManifest,
  resolveWorld,
  WorldInstance,
} from '@anvil/capability-model';

/** The resolution of one world, as the CLI prints it. */
export interface WorldPlan {
  namespace: string;
  world: string;
  bindings: Binding[];
  diagnostics: Diagnostic[];
}

const namespaceOf = (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? 'default';

/**
 * Resolves each world against the game and manifests of its own namespace, as the controller
 * does. Worlds are ordered by namespace then name, bindings by consumer, capability, rank
 * (0 = preferred) and shard; a missing game is an error diagnostic.
 */
export function planWorlds(objects: unknown[], worldName?: string): WorldPlan[] {
  const typed = objects as { kind?: string }[];
  const worlds = typed.filter((o): o is WorldInstance => o.kind === 'WorldInstance');
  const games = typed.filter((o): o is GameDefinition => o.kind === 'GameDefinition');
  const manifests = typed.filter((o): o is ModuleManifest => o.kind === 'ModuleManifest');
  return worlds
    .filter((w) => worldName === undefined || w.metadata.name === worldName)
    .sort(
      (a, b) =>
        compareKeys(namespaceOf(a), namespaceOf(b)) ||
        compareKeys(a.metadata.name, b.metadata.name),
    )
    .map((world) => {
      const namespace = namespaceOf(world);
      const game = games.find(
        (g) => namespaceOf(g) === namespace && g.metadata.name === world.spec.gameRef,
      );
      const resolution = resolveWorld(
        world,
        game,
        manifests.filter((m) => namespaceOf(m) === namespace),
      );
      return {
        namespace,
        world: world.metadata.name,
        bindings: [...resolution.bindings].sort(byRequirementThenRank),
        diagnostics: resolution.diagnostics,
      };
    });
}

/** Each requirement's bindings together, its preferred provider first (then by shard). */
const byRequirementThenRank = (a: Binding, b: Binding) =>
  compareKeys(a.consumer, b.consumer) ||
  compareKeys(a.capabilityId, b.capabilityId) ||
  a.rank - b.rank ||
  (a.shard ?? 0) - (b.shard ?? 0);

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
