import { context } from '@opentelemetry/api';
import { inSpan } from '@anvil/telemetry';
import type { EngineReplica, ReplicaRepository } from '@anvil/storage';
import { hasRoom, type ReplicaLoad } from './takeover-plan';

/**
 * Which replica should start a world nobody owns, asked on replica `self` (its load counted
 * now, the others' as last reported): the least loaded live replica with room, ties by id,
 * but `self` unless that one has at least two worlds fewer, so an Init is not bounced between
 * replicas whose views of the loads differ by a report. Pure.
 */
export function placeNewWorld(self: ReplicaLoad, others: readonly ReplicaLoad[]): string {
  let best: ReplicaLoad | undefined;
  for (const r of others) {
    if (r.replicaId === self.replicaId || !hasRoom(r)) continue;
    if (
      !best ||
      r.worlds < best.worlds ||
      (r.worlds === best.worlds && r.replicaId < best.replicaId)
    )
      best = r;
  }
  if (!best) return self.replicaId;
  if (!hasRoom(self)) return best.replicaId;
  return best.worlds + 2 <= self.worlds ? best.replicaId : self.replicaId;
}

/**
 * Placement of new worlds over a module's replicas: the replica an Init reaches (through the
 * module's Service) starts the world, unless a less loaded one should (`placeNewWorld`); then
 * it names that replica, as it names a world's owner, and the caller follows.
 */
export class Placement {
  constructor(
    private readonly replicas: Pick<ReplicaRepository, 'live'>,
    private readonly role: string,
  ) {}

  /**
   * The replica that should start a new world instead of `self` (undefined: `self`), decided in
   * a `world placement` span of the trace of the Init or takeover that asks.
   */
  elsewhere(self: ReplicaLoad): Promise<EngineReplica | undefined> {
    const attributes = { 'anvil.replica.id': self.replicaId, 'anvil.role': this.role };
    return inSpan('world placement', context.active(), { attributes }, async (span) => {
      const live = await this.replicas.live(this.role);
      const chosen = placeNewWorld(self, live);
      span.setAttributes({
        'anvil.placement.replica': chosen,
        'anvil.placement.candidates': live.length,
      });
      return chosen === self.replicaId ? undefined : live.find((r) => r.replicaId === chosen);
    });
  }
}
