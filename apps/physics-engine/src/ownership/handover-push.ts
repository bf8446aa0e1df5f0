import {
  EngineClient,
  ownerAddressOf,
  worldSettingsToWire,
  type WorldSettings,
} from '@anvil/engine-contract';
import { planTakeover, takers } from '@anvil/ownership';
import type { EngineReplica, ReplicaRepository } from '@anvil/storage';

/** How long a push waits for an answer; the takeover rounds are the fallback. */
export const PUSH_DEADLINE_MS = 2_000;
/** How many "placed on another replica" answers one push follows. */
const MAX_HOPS = 3;

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
 * over the live replicas but this one) to take it at once: an `Init` with the world's settings,
 * as the world's own caller (whose quota it counts against), following the answer when that
 * replica places it on another. Saves the wait for the next takeover round. The worlds pushed
 * from here count in the plan until the replicas' own reports do, so a drain spreads its worlds
 * instead of sending all of them to the replica least loaded a round ago. Best effort: a push
 * that fails leaves the world to the rounds.
 */
export class HandoverPush {
  /** Worlds pushed to each replica by this one (the reports lag by a round). */
  private readonly pushed = new Map<string, number>();

  constructor(private readonly options: HandoverPushOptions) {}

  /** The replica that took the world; rejects when the push failed. */
  async push(worldId: string, settings: WorldSettings, caller: string): Promise<string> {
    const target = this.pick(worldId, await this.options.replicas.live(this.options.role));
    let address = target.address;
    for (let hop = 0; ; hop++) {
      try {
        await this.init(address, worldId, settings, caller);
        return address === target.address ? target.replicaId : address;
      } catch (error) {
        const next = ownerAddressOf(error);
        if (next === undefined || next === address || hop + 1 >= MAX_HOPS) throw error;
        address = next;
      }
    }
  }

  /** The taker the plan names, counted as one world more from now on. */
  private pick(worldId: string, live: EngineReplica[]): EngineReplica {
    const { self } = this.options;
    const others = live
      .filter((r) => r.replicaId !== self)
      .map((r) => ({ ...r, worlds: r.worlds + (this.pushed.get(r.replicaId) ?? 0) }));
    const chosen = planTakeover([worldId], takers(others, [self])).get(worldId);
    const target = others.find((r) => r.replicaId === chosen);
    if (!target) throw new Error('no other live replica has room');
    this.pushed.set(target.replicaId, (this.pushed.get(target.replicaId) ?? 0) + 1);
    return target;
  }

  private async init(address: string, worldId: string, settings: WorldSettings, caller: string) {
    const client = new EngineClient(address, {
      access: { token: this.options.token, caller },
      deadlineMs: PUSH_DEADLINE_MS,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    try {
      await client.init({ worldId, config: worldSettingsToWire(settings) });
    } finally {
      client.close();
    }
  }
}
