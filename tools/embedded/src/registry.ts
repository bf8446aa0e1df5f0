// The world registry (the `worlds` table the gateway reads): the same rows the controller
// writes, from the same worldRecord() and bindingSpecs(), with each binding's provider at the
// address its engine has in this process.
import { entryBinding, type WorldPhase } from '@anvil/capability-model';
import { bindingSpecs, worldRecord, type WorldRecord } from '@anvil/control-plane';
import type { Storage } from '@anvil/storage';
import type { Plan } from './plans';
import { embeddedOutcome, type PlaneState, type WorldStatuses } from './status';
import type { Wiring } from './wiring';
import { messageOf } from './workspace';

/** `host:port` of the engine running a module for a world here, if one does. */
export type AddressOf = (worldId: string, module: string) => string | undefined;

/**
 * The world's row: the controller's (with the gateway's entry binding), with providers that run
 * here at their local address.
 */
export function embeddedRecord(plan: Plan, phase: WorldPhase, addressOf: AddressOf): WorldRecord {
  const bindings = bindingSpecs(plan.world, plan.resolution, plan.manifests).map(({ spec }) => {
    const address = addressOf(plan.id, spec.provider.module);
    if (!address) return { metadata: { namespace: plan.namespace }, spec };
    const colon = address.lastIndexOf(':');
    const endpoint = {
      ...spec.provider.endpoint,
      host: address.slice(0, colon),
      port: Number(address.slice(colon + 1)),
    };
    return {
      metadata: { namespace: plan.namespace },
      spec: { ...spec, provider: { ...spec.provider, endpoint } },
    };
  });
  const entry = entryBinding(plan.participants, plan.manifests, plan.namespace);
  const entryAddress = entry && addressOf(plan.id, entry.provider);
  return worldRecord(
    plan.world,
    phase,
    bindings,
    entry && { ...entry, address: entryAddress || entry.address },
  );
}

/** Writes rows to storage; reports failures through `warn` and carries on. */
export class Registry {
  constructor(
    private readonly storage: Storage,
    private readonly warn: (line: string) => void,
  ) {}

  async record(rows: readonly WorldRecord[]): Promise<void> {
    for (const row of rows) {
      try {
        await this.storage.worlds.upsert(row);
      } catch (error) {
        this.warn(`world ${row.id}: writing its status to storage failed: ${messageOf(error)}`);
      }
    }
  }

  /** Worlds gone from the folder: not joinable any more (deleted at the next start). */
  async terminateOthers(ids: ReadonlySet<string>): Promise<void> {
    for (const world of await this.storage.worlds.list().catch(() => []))
      if (!ids.has(world.id) && world.phase !== 'Terminating')
        await this.storage.worlds.setPhase(world.id, 'Terminating').catch(() => undefined);
  }

  /** Deletes worlds that earlier runs registered and the folder no longer has. */
  async removeOthers(ids: ReadonlySet<string>): Promise<void> {
    for (const world of await this.storage.worlds.list().catch(() => []))
      if (!ids.has(world.id)) await this.storage.worlds.delete(world.id).catch(() => undefined);
  }

  /** The tick of the world's latest checkpoint, if it has one (where its next start continues). */
  async checkpointTick(worldId: string): Promise<number | undefined> {
    const latest = await this.storage.checkpoints.latest(worldId).catch(() => null);
    return latest ? latest.tick : undefined;
  }
}

/**
 * Computes every world's status as the controller does (its bindings are applied when the
 * engines they name run here) and writes its registry row; worlds gone are terminated.
 */
export async function publishWorlds(
  host: {
    plans: readonly Plan[];
    wiring: Wiring;
    engines: { state: PlaneState; addressOf: AddressOf };
  },
  statuses: WorldStatuses,
  registry: Registry,
): Promise<void> {
  const rows = host.plans.map((plan) => {
    const outcome = embeddedOutcome(host.wiring.worlds.get(plan.id), host.engines.state);
    const status = statuses.compute(plan, outcome);
    return embeddedRecord(plan, status.phase ?? 'Pending', host.engines.addressOf);
  });
  await registry.record(rows);
  await registry.terminateOthers(new Set(host.plans.map((p) => p.id)));
}
