import { CapacityError } from '../errors/engine-error';

/** Limits of a WorldQuota. */
export interface WorldQuotaLimits {
  /** Worlds the engine runs at once (MAX_WORLDS). */
  maxWorlds: number;
  /** Worlds one caller may have created and not closed (MAX_WORLDS_PER_CALLER). */
  maxWorldsPerCaller: number;
}

/**
 * Which caller holds each world, so worlds are limited per engine and per caller. A world is
 * held from `reserve` (before it is built, so concurrent creations count) until `release`.
 * Its size is bounded by `maxWorlds`.
 */
export class WorldQuota {
  private readonly holders = new Map<string, string>();
  private readonly perCaller = new Map<string, number>();

  constructor(private readonly limits: WorldQuotaLimits) {}

  /** Holds `worldId` for `caller`; throws CapacityError naming the limit when one is reached. */
  reserve(caller: string, worldId: string): void {
    if (this.holders.has(worldId)) return;
    if (this.holders.size >= this.limits.maxWorlds) {
      throw new CapacityError(`engine is full: ${this.limits.maxWorlds} worlds (MAX_WORLDS)`);
    }
    const held = this.perCaller.get(caller) ?? 0;
    if (held >= this.limits.maxWorldsPerCaller) {
      throw new CapacityError(
        `caller "${caller}" holds ${held} worlds, its quota (MAX_WORLDS_PER_CALLER)`,
      );
    }
    this.holders.set(worldId, caller);
    this.perCaller.set(caller, held + 1);
  }

  /** Frees `worldId`'s slot (a no-op for a world not held). */
  release(worldId: string): void {
    const caller = this.holders.get(worldId);
    if (caller === undefined) return;
    this.holders.delete(worldId);
    const left = (this.perCaller.get(caller) ?? 1) - 1;
    if (left > 0) this.perCaller.set(caller, left);
    else this.perCaller.delete(caller);
  }

  /** True when `worldId` is held. */
  holds(worldId: string): boolean {
    return this.holders.has(worldId);
  }

  /** Worlds held in total. */
  get size(): number {
    return this.holders.size;
  }

  /** Worlds `caller` holds. */
  heldBy(caller: string): number {
    return this.perCaller.get(caller) ?? 0;
  }
}
