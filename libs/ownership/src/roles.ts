/** The lease role of physics engines (a world has one physics owner). */
export const PHYSICS_ROLE = 'physics';

/**
 * The lease role of a game module's replicas: one per module version, so the replicas of one
 * version share a world's ownership, and a newer version's replicas are another group (a world
 * moves between versions by its bindings, docs/games.md). Without a version, every replica of
 * the module is one group.
 */
export function gameRole(module: string, version?: string): string {
  return version ? `game:${module}@${version}` : `game:${module}`;
}
