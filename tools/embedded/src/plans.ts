// Resolves each world of the folder with the same resolveWorld() the controller runs, against
// the game and manifests of its own namespace.
import {
  WORLD_ID_PATTERN,
  isResolved,
  resolveWorld,
  worldIdOf,
  type GameDefinition,
  type ModuleManifest,
  type Participant,
  type Resolution,
  type WorldInstance,
} from '@anvil/capability-model';
import { namespaceOf, type LoadedObject } from './folder';

/** A participant of a world's game, with its manifest. */
export type PlannedParticipant = Participant & { manifest: ModuleManifest | undefined };

/** A world of the folder, resolved. */
export interface Plan {
  id: string;
  namespace: string;
  name: string;
  world: WorldInstance;
  game: GameDefinition | undefined;
  /** The manifests of the world's namespace: the resolver's input. */
  manifests: ModuleManifest[];
  source: LoadedObject['source'] | undefined;
  resolution: Resolution;
  participants: PlannedParticipant[];
  resolved: boolean;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every world of the loaded objects, resolved; sorted by namespace, then name. */
export function planWorlds(loaded: readonly LoadedObject[]): Plan[] {
  const sourceOf = new Map(loaded.map((l) => [l.object, l.source] as const));
  const all = loaded.map((l) => l.object);
  const of = <T>(kind: string) => all.filter((o) => o.kind === kind) as unknown as T[];
  const worlds = of<WorldInstance>('WorldInstance');
  const games = of<GameDefinition>('GameDefinition');
  const manifests = of<ModuleManifest>('ModuleManifest');
  worlds.sort(
    (a, b) => cmp(namespaceOf(a), namespaceOf(b)) || cmp(a.metadata.name, b.metadata.name),
  );
  return worlds.map((world) => {
    const namespace = namespaceOf(world);
    const id = worldIdOf(world.metadata);
    const game = games.find(
      (g) => namespaceOf(g) === namespace && g.metadata.name === world.spec.gameRef,
    );
    const inNamespace = manifests.filter((m) => namespaceOf(m) === namespace);
    const resolution = resolveWorld(world, game, inNamespace);
    if (!WORLD_ID_PATTERN.test(id))
      resolution.diagnostics = [...resolution.diagnostics, invalidWorldId(id)];
    const byName = new Map(inNamespace.map((m) => [m.metadata.name, m]));
    return {
      id,
      namespace,
      name: world.metadata.name,
      world,
      game,
      manifests: inNamespace,
      source: sourceOf.get(world as never),
      resolution,
      participants: resolution.participants.map((p) => ({
        ...p,
        manifest: byName.get(p.manifestName),
      })),
      resolved: isResolved(resolution),
    };
  });
}

function invalidWorldId(id: string): Resolution['diagnostics'][number] {
  return {
    severity: 'error',
    code: 'InvalidWorldId',
    consumer: '',
    capabilityId: '',
    message: `world id "${id}" is longer than the 64 characters engines accept`,
    candidates: [],
  } as unknown as Resolution['diagnostics'][number];
}
