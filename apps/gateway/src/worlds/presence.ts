interface Entry {
  sockets: Set<string>;
  /** True while the engine has the player's body because of this gateway. */
  inEngine: boolean;
  leaveTimer?: NodeJS.Timeout;
  /** What the pending leave runs. */
  onLast?: () => void;
}

/**
 * Which players this gateway instance has in which world, through which sockets; decides when
 * the engine must be told (first socket in: join; last socket out: leave, after a grace period
 * when the connection merely dropped). Pure bookkeeping plus timers.
 */
export class Presence {
  private readonly worlds = new Map<string, Map<string, Entry>>();

  /** Adds a socket; true when the engine must be asked to join the player. */
  add(worldId: string, playerId: string, socketId: string): boolean {
    const entry = this.entry(worldId, playerId, true) as Entry;
    if (entry.leaveTimer) clearTimeout(entry.leaveTimer);
    entry.leaveTimer = undefined;
    entry.sockets.add(socketId);
    return !entry.inEngine;
  }

  /** Records that the engine has (or no longer has) the player. */
  setInEngine(worldId: string, playerId: string, inEngine: boolean): void {
    const entry = this.entry(worldId, playerId, false);
    if (entry) entry.inEngine = inEngine;
    if (entry && !inEngine) this.prune(worldId, playerId);
  }

  /**
   * Removes a socket. When it was the player's last one and the engine has the player,
   * `onLast` runs after `graceMs` (0: now) unless a socket of the player comes back first.
   */
  remove(
    worldId: string,
    playerId: string,
    socketId: string,
    graceMs: number,
    onLast: () => void,
  ): void {
    const entry = this.entry(worldId, playerId, false);
    if (!entry || !entry.sockets.delete(socketId) || entry.sockets.size > 0) return;
    if (!entry.inEngine) return this.prune(worldId, playerId);
    if (graceMs <= 0) return onLast();
    if (entry.leaveTimer) clearTimeout(entry.leaveTimer);
    entry.onLast = onLast;
    entry.leaveTimer = setTimeout(() => {
      entry.leaveTimer = undefined;
      if (entry.sockets.size === 0) onLast();
    }, graceMs);
    entry.leaveTimer.unref();
  }

  /** True when the player has a socket in the world here. */
  hasSockets(worldId: string, playerId: string): boolean {
    return (this.worlds.get(worldId)?.get(playerId)?.sockets.size ?? 0) > 0;
  }

  /** Players with at least one socket here, by world (admin). */
  players(worldId: string): string[] {
    return [...(this.worlds.get(worldId) ?? new Map<string, Entry>())]
      .filter(([, e]) => e.sockets.size > 0)
      .map(([id]) => id)
      .sort();
  }

  /** Runs every pending leave now instead of after its grace period (shutdown). */
  flushLeaves(): void {
    for (const world of this.worlds.values()) {
      for (const entry of world.values()) {
        if (!entry.leaveTimer) continue;
        clearTimeout(entry.leaveTimer);
        entry.leaveTimer = undefined;
        entry.onLast?.();
      }
    }
  }

  private entry(worldId: string, playerId: string, create: boolean): Entry | undefined {
    let world = this.worlds.get(worldId);
    if (!world && !create) return undefined;
    if (!world) this.worlds.set(worldId, (world = new Map()));
    let entry = world.get(playerId);
    if (!entry && create) world.set(playerId, (entry = { sockets: new Set(), inEngine: false }));
    return entry;
  }

  private prune(worldId: string, playerId: string): void {
    const world = this.worlds.get(worldId);
    const entry = world?.get(playerId);
    if (!world || !entry || entry.sockets.size > 0 || entry.inEngine || entry.leaveTimer) return;
    world.delete(playerId);
    if (world.size === 0) this.worlds.delete(worldId);
  }
}
