/**
 * Coalesces snapshot requests per world: at most one fetch runs and at most one waits. A request
 * always gets a snapshot fetched *after* it was made (so a socket that joined its room before
 * asking misses no delta between the snapshot and its first broadcast), yet a join storm costs
 * two engine calls at a time, not one per player.
 */
export class SnapshotBatcher<T> {
  private readonly worlds = new Map<string, { running?: Promise<T>; queued?: Promise<T> }>();

  constructor(private readonly fetch: (worldId: string) => Promise<T>) {}

  /** A snapshot of `worldId` taken after this call. */
  get(worldId: string): Promise<T> {
    let entry = this.worlds.get(worldId);
    if (!entry) this.worlds.set(worldId, (entry = {}));
    if (!entry.running) return this.start(worldId, entry);
    if (entry.queued) return entry.queued;
    const state = entry;
    const after = entry.running.then(
      () => undefined,
      () => undefined,
    );
    state.queued = after.then(() => {
      state.queued = undefined;
      return this.start(worldId, state);
    });
    return state.queued;
  }

  private start(worldId: string, entry: { running?: Promise<T>; queued?: Promise<T> }): Promise<T> {
    const running = this.fetch(worldId);
    entry.running = running;
    const done = () => {
      if (entry.running === running) entry.running = undefined;
      if (!entry.running && !entry.queued) this.worlds.delete(worldId);
    };
    running.then(done, done);
    return running;
  }
}
