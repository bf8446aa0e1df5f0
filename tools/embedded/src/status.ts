// Each world's status, computed by the controller's own computeWorldStatus: the Resolved
// condition from its resolution, and Ready from whether its bindings are "applied" here, i.e.
// whether the engines they name run in this process. The reasons are the controller's.
import type { WorldInstanceStatus, WorldPhase } from '@anvil/capability-model';
import { computeWorldStatus, type ApplyOutcome } from '@anvil/control-plane';
import type { Plan } from './plans';
import type { WorldWiring } from './wiring';

/** Where the data plane is: starting, running, or failed to start. */
export type PlaneState = 'starting' | 'running' | 'failed';

/**
 * The controller's apply outcome for a world in this process: applied when the engines its
 * bindings name run here, pending while they start, failed when they cannot run here.
 */
export function embeddedOutcome(wiring: WorldWiring | undefined, plane: PlaneState): ApplyOutcome {
  if (wiring && !wiring.runnable)
    return { state: 'failed', message: `not run here (${wiring.reason}): ${wiring.message}` };
  if (plane === 'starting') return { state: 'pending' };
  if (plane === 'failed')
    return { state: 'failed', message: 'the data plane is not running; see the terminal' };
  return { state: 'applied' };
}

/** Each world's last status, so a condition's lastTransitionTime only moves when it changes. */
export class WorldStatuses {
  private readonly last = new Map<string, WorldInstanceStatus>();

  /** The world's status now (and remembered as its last). */
  compute(plan: Plan, outcome: ApplyOutcome, now = new Date()): WorldInstanceStatus {
    const status = computeWorldStatus(
      plan.world,
      plan.resolution,
      this.last.get(plan.id),
      now,
      outcome,
    );
    this.last.set(plan.id, status);
    return status;
  }

  /** The world's last status (Pending before the first). */
  of(id: string): WorldInstanceStatus {
    return this.last.get(id) ?? { phase: 'Pending', conditions: [] };
  }

  phaseOf(id: string): WorldPhase {
    return this.of(id).phase ?? 'Pending';
  }

  forget(id: string): void {
    this.last.delete(id);
  }
}
