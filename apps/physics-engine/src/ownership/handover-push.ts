import { EngineClient, worldSettingsToWire, type WorldSettings } from '@anvil/engine-contract';
import { planTakeover, takers } from '@anvil/ownership';
import type { ReplicaRepository } from '@anvil/storage';

/** How long a push waits for the taker's answer; the takeover rounds are the fallback. */
export const PUSH_DEADLINE_MS = 2_000;

/** What the push needs. */
export interface HandoverPushOptions {
  replicas: Pick<ReplicaRepository, 'live'>;
  /** The module's lease role (PHYSICS_ROLE). */
  role: string;
  /** This replica's id: it is not a taker of its own worlds. */
  self: string;
  /** The engines' shared token (ENGINE_TOKEN). */
  token: string;
}

/**
 * After a world was handed over, asks the replica the takeover plan gives it to (`planTakeover`
 * over the live replicas but this one, as every replica's next round computes it) to take it
 * at once: an `Init` with the world's settings, as the world's own caller (whose quota it
 * counts against). Saves the wait for that replica's next round. Best effort: a push that
 * fails (the taker is busy, placed it elsewhere, is gone) leaves the world to the rounds.
 */
export class HandoverPush {
  constructor(private readonly options: HandoverPushOptions) {}

  /** The replica that took the world; rejects when the push failed. */
  async push(worldId: string, settings: WorldSettings, caller: string): Promise<string> {
    const { replicas, role, self, token } = this.options;
    const live = await replicas.live(role);
    const chosen = planTakeover([worldId], takers(live, [self])).get(worldId);
    const target = live.find((r) => r.replicaId === chosen && r.replicaId !== self);
    if (!target) throw new Error('no other live replica has room');
    const client = new EngineClient(target.address, {
      access: { token, caller },
      deadlineMs: PUSH_DEADLINE_MS,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    try {
      await client.init({ worldId, config: worldSettingsToWire(settings) });
      return target.replicaId;
    } finally {
      client.close();
    }
  }
}
