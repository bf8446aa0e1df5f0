import type { Condition } from '@anvil/capability-model';
import { CONDITION, EVENT_TYPE, REASON } from '@anvil/control-plane';
import type { WorldEvent } from '../reconcile/transition-events';
import { workloadName } from '../rollout/workload-name';
import { MODULE_LABEL } from './desired-workloads';
import type { ModuleVersion } from '../rollout/rollout-gate';
import type { WorkloadPlan, WorkloadState } from './workload-plan';

/** Where a world's move to the module versions it binds stands, while one is under way. */
export interface Migration {
  reason: typeof REASON.waitingForWorkload | typeof REASON.draining;
  message: string;
  /** The new version's workload is failing (its Deployment says so): a Warning. */
  failing: boolean;
}

/**
 * The move under way for a world, from the versions it binds, those the resolver wants it on
 * (its targets) and the workloads; undefined when none. Pure. In order:
 * - Waiting: a target replaces a bound version and its workload is not Ready (the world stays
 *   where it is), or a bound version's workload is not Ready while an older one is kept for it.
 * - Draining: a target is Ready and the world's bindings move to it, or a bound version is
 *   Ready and an older workload of its module is being deleted (its pods stop, handing their
 *   worlds over).
 */
export function migrationOf(
  namespace: string,
  bound: readonly ModuleVersion[],
  targets: readonly ModuleVersion[],
  plan: WorkloadPlan,
  states: readonly WorkloadState[],
): Migration | undefined {
  const inNamespace = states.filter((s) => s.namespace === namespace);
  const stateOf = (name: string) => inNamespace.find((s) => s.name === name);
  const boundVersion = new Map(bound.map((b) => [b.module, b.version]));
  const moves = targets.flatMap(({ module, version }) => {
    const from = boundVersion.get(module);
    return from === undefined || from === version ? [] : [{ module, version, from }];
  });
  for (const { module, version, from } of moves) {
    const state = stateOf(workloadName(module, version));
    if (!state?.ready)
      return waiting(module, version, state, `the world stays on ${module} ${from} until it is`);
  }
  for (const { module, version } of bound) {
    const name = workloadName(module, version);
    const kept = plan.kept.find(
      (k) => k.workload.namespace === namespace && k.waitingFor.some((w) => w.name === name),
    );
    if (kept)
      return waiting(
        module,
        version,
        stateOf(name),
        `${kept.workload.name} keeps running until it is`,
      );
  }
  const [move] = moves;
  if (move)
    return {
      reason: REASON.draining,
      message: `${move.module} ${move.version} is ready; the world's bindings move to it from ${move.from}`,
      failing: false,
    };
  for (const { module, version } of bound) {
    const name = workloadName(module, version);
    const workload = plan.apply.find((w) => w.namespace === namespace && w.name === name);
    const label = workload?.deployment.metadata.labels[MODULE_LABEL];
    const old = inNamespace.find((s) => s.deleting && s.module === label && s.name !== name);
    if (!old) continue;
    return {
      reason: REASON.draining,
      message: `${module} ${version} is ready; ${old.name} is stopping and hands its worlds over`,
      failing: false,
    };
  }
  return undefined;
}

/** A move waiting for `module` `version`'s workload (`state`, undefined: not created yet). */
function waiting(
  module: string,
  version: string,
  state: WorkloadState | undefined,
  meanwhile: string,
): Migration {
  const name = workloadName(module, version);
  const progress = `${state?.available ?? 0} of ${state?.replicas ?? 1} replicas available`;
  const failure = state?.failure ? `: ${state.failure}` : '';
  return {
    reason: REASON.waitingForWorkload,
    message: `${module} ${version} is not ready (Deployment ${name}: ${progress}${failure}); ${meanwhile}`,
    failing: state?.failure !== undefined,
  };
}

/** A Migrating condition to write and, when the move took a step, the Event telling it. */
export interface MigrationChange {
  condition: Condition;
  event?: WorldEvent;
}

/**
 * The change of a world's Migrating condition from `previous` (what its status holds) to what
 * `next` says; undefined when there is nothing to write. An Event tells each step (a new
 * reason) and each new message of a failing version; progress alone (replicas available) only
 * updates the message. A finished move leaves Migrating=False (reason Migrated); a world that
 * never moved gets no condition. Pure.
 */
export function migrationChange(
  previous: Condition | undefined,
  next: Migration | undefined,
  now: string,
): MigrationChange | undefined {
  const moving = previous?.status === 'True';
  if (!next) {
    if (!moving) return undefined;
    const message = 'every module version the world binds runs; the versions it left are gone';
    return {
      condition: {
        type: CONDITION.migrating,
        status: 'False',
        reason: REASON.migrated,
        message,
        lastTransitionTime: now,
      },
      event: { type: EVENT_TYPE.normal, reason: REASON.migrated, message },
    };
  }
  if (moving && previous.reason === next.reason && previous.message === next.message)
    return undefined;
  const step = !moving || previous.reason !== next.reason || next.failing;
  return {
    condition: {
      type: CONDITION.migrating,
      status: 'True',
      reason: next.reason,
      message: next.message,
      lastTransitionTime: moving ? previous.lastTransitionTime : now,
    },
    ...(step && {
      event: {
        type: next.failing ? EVENT_TYPE.warning : EVENT_TYPE.normal,
        reason: next.reason,
        message: next.message,
      },
    }),
  };
}
