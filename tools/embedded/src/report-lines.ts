// The host's two reports: the banner once everything runs, and what a reload changed.
import type { HostState } from './api';
import type { Options } from './options';
import type { Plan } from './plans';
import { describeWorldChange, statusBlock } from './report';
import type { WorldStatuses } from './status';
import { signToken } from './tokens';
import type { Wiring } from './wiring';

/** The status block, with a player and an admin token signed with the dev secret. */
export function banner(host: HostState & { options: Options }, webUrl: string): string {
  const playerId = 'player-1';
  const tokens = {
    playerId,
    player: signToken(host.secret, { sub: playerId }),
    admin: signToken(host.secret, { sub: 'admin', roles: ['admin'] }),
  };
  const { options, loaded, plans, wiring } = host;
  return statusBlock({
    options,
    loaded,
    plans,
    wiring,
    statusOf: host.statusOf,
    plane: host.engines.plane,
    webUrl,
    tokens,
    botsOf: (id) => host.bots.list(id).length,
  });
}

/** What a reload changed, world by world (`before`: each world's plan and phase before it). */
export function reloadReport(
  before: ReadonlyMap<string, { plan: Plan; phase: string }>,
  plans: readonly Plan[],
  statuses: WorldStatuses,
  wiring: Wiring,
): string {
  const lines: string[] = [];
  for (const id of [...new Set([...before.keys(), ...plans.map((p) => p.id)])].sort()) {
    const after = plans.find((p) => p.id === id);
    const was = before.get(id);
    if (!after) statuses.forget(id);
    const phase = after ? statuses.phaseOf(id) : undefined;
    lines.push(...describeWorldChange(id, was?.plan, after, was?.phase, phase));
    const w = wiring.worlds.get(id);
    if (after && w && !w.runnable && was?.phase === 'Ready')
      lines.push(`world ${id}:   not run here any more: ${w.message}`);
  }
  return lines.length
    ? lines.map((l) => `  ${l}`).join('\n')
    : '  no change in worlds, bindings or phases';
}
