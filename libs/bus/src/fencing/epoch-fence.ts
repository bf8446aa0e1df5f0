/**
 * The reader's side of world ownership (docs/events.md, "Epochs"): per world, the highest writer
 * epoch seen so far; a message of an older epoch comes from a replica that lost the world (it
 * was paused or cut off past its lease) and is dropped. Messages without an epoch count as 0.
 * Bounded: it forgets the world whose epoch changed longest ago past `maxWorlds`.
 */
export class EpochFence {
  private readonly highest = new Map<string, number>();

  constructor(private readonly maxWorlds = 100_000) {}

  /** True when a message of `epoch` for the world may be used; records a newer epoch. */
  admit(worldId: string, epoch = 0): boolean {
    const seen = this.highest.get(worldId);
    if (seen !== undefined && epoch < seen) return false;
    if (seen === undefined || epoch > seen) {
      this.highest.delete(worldId);
      this.highest.set(worldId, epoch);
      if (this.highest.size > this.maxWorlds)
        this.highest.delete(this.highest.keys().next().value as string);
    }
    return true;
  }

  /** The highest epoch seen for a world (undefined: none yet). */
  epochOf(worldId: string): number | undefined {
    return this.highest.get(worldId);
  }
}
