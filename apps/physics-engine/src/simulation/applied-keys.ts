import type { PhysicsIntent } from '@anvil/engine-contract';

/**
 * Keys a world remembers: the idempotency keys of its last this-many applied intents. A command
 * repeated with one of them is answered with the first one's result; one older than the window
 * is applied again (docs/engine-contract.md, "Idempotency keys").
 */
export const MAX_APPLIED_KEYS = 65_536;

/** What a keyed intent was answered: ApplyCommand's result. */
export interface KeyedResult {
  /** The tick at whose boundary it applied (or applies, while pending). */
  applyTick: number;
  /** The body it addressed. */
  entityId: string;
}

/** The body an intent creates or addresses: ApplyCommand's `entity_id`. */
export function intentEntityId(intent: PhysicsIntent): string {
  return intent.type === 'spawnBody' ? intent.body.id : intent.bodyId;
}

/**
 * A bounded map of the idempotency keys of a world's applied intents, oldest evicted first.
 * Not part of the world's state (nor of its hash): a world brought back from checkpoint and log
 * learns its keys again from the log entries, which record them.
 */
export class AppliedKeys {
  private readonly results = new Map<string, KeyedResult>();

  constructor(readonly limit = MAX_APPLIED_KEYS) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** The result of the intent applied with `key`, if it is still remembered. */
  get(key: string): KeyedResult | undefined {
    return this.results.get(key);
  }

  /** Keys remembered now (at most `limit`). */
  get size(): number {
    return this.results.size;
  }

  /** Remembers a key as the newest; the oldest goes when the window is full. */
  remember(key: string, result: KeyedResult): void {
    this.results.delete(key);
    this.results.set(key, result);
    if (this.results.size > this.limit) {
      const oldest = this.results.keys().next().value as string;
      this.results.delete(oldest);
    }
  }

  /** Remembers the keys of a batch applied at `tick` (`keys` parallel to `intents`, '' for none). */
  learn(
    tick: number,
    intents: readonly PhysicsIntent[],
    keys: readonly string[] | undefined,
  ): void {
    if (!keys) return;
    intents.forEach((intent, i) => {
      const key = keys[i];
      if (key) this.remember(key, { applyTick: tick, entityId: intentEntityId(intent) });
    });
  }
}
