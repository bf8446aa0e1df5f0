// What the terminal shows: the start-up status block and what a reload changed.
import * as path from 'node:path';
import type { Binding, WorldInstanceStatus } from '@anvil/capability-model';
import type { Plane } from './data-plane';
import type { Loaded } from './folder';
import type { Options } from './options';
import type { Plan } from './plans';
import type { Wiring } from './wiring';
import { shown } from './workspace';

export const bindingLine = (b: Binding) =>
  `${b.consumer} → ${b.capabilityId} → ${b.provider} (${b.providerVersion})${b.shard !== null && b.shard !== undefined ? ` shard ${b.shard}` : ''}`;

/** Bindings of each world that were added, removed or changed between two plans (by stable name). */
export function diffBindings(before: readonly Binding[], after: readonly Binding[]) {
  const old = new Map(before.map((b) => [b.name, b]));
  const now = new Map(after.map((b) => [b.name, b]));
  const added = [...now.values()].filter((b) => !old.has(b.name));
  const removed = [...old.values()].filter((b) => !now.has(b.name));
  const changed = [...now.values()].filter(
    (b) => old.has(b.name) && JSON.stringify(old.get(b.name)) !== JSON.stringify(b),
  );
  return { added, removed, changed };
}

/** The physics.simulation providers of a world, as "module (capability version)". */
function physicsProviders(bindings: readonly Binding[]): string {
  const providers = bindings
    .filter((b) => b.capabilityId === 'physics.simulation')
    .map((b) => `${b.provider} (physics.simulation ${b.providerVersion})`);
  return [...new Set(providers)].sort().join(', ') || 'none';
}

const errorsOf = (plan: Plan) =>
  plan.resolution.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message);

/** Lines describing what changed for one world between two plans (empty: nothing). */
export function describeWorldChange(
  id: string,
  before: Plan | undefined,
  after: Plan | undefined,
  beforePhase: string | undefined,
  afterPhase: string | undefined,
): string[] {
  if (!before) return [`world ${id}: new (phase ${afterPhase})`];
  if (!after)
    return [
      `world ${id}: removed from the folder (no longer joinable; closed on its engines, its checkpoints deleted at the next start)`,
    ];
  const lines: string[] = [];
  const d = diffBindings(before.resolution.bindings, after.resolution.bindings);
  if (beforePhase !== afterPhase) lines.push(`world ${id}: phase ${beforePhase} → ${afterPhase}`);
  const pb = physicsProviders(before.resolution.bindings);
  const pa = physicsProviders(after.resolution.bindings);
  if (pb !== pa) lines.push(`world ${id}: PHYSICS PROVIDER CHANGED: ${pb} → ${pa}`);
  for (const b of d.removed) lines.push(`world ${id}:   - ${bindingLine(b)}`);
  for (const b of d.added) lines.push(`world ${id}:   + ${bindingLine(b)}`);
  for (const b of d.changed) lines.push(`world ${id}:   ~ ${bindingLine(b)}`);
  const errorsBefore = errorsOf(before);
  for (const m of errorsOf(after).filter((m) => !errorsBefore.includes(m)))
    lines.push(`world ${id}:   ! ${m}`);
  return lines;
}

export interface StatusBlockInput {
  options: Options;
  loaded: Loaded;
  plans: Plan[];
  statusOf(id: string): WorldInstanceStatus;
  wiring: Wiring;
  plane: Plane | undefined;
  webUrl: string;
  tokens: { playerId: string; player: string; admin: string };
  botsOf(id: string): number;
}

function worldLines(plan: Plan, s: WorldInstanceStatus, wiring: Wiring, bots: number): string[] {
  const { spec } = plan.world;
  const w = wiring.worlds.get(plan.id);
  const out = [
    `  world ${plan.id}  game ${spec.gameRef}  phase ${s.phase}  region ${spec.region}  ${spec.shards} shard(s)  ${plan.resolution.bindings.length} bindings  ${bots} bots`,
    ...plan.resolution.bindings.map((b) => `      ${bindingLine(b)}`),
    ...plan.resolution.diagnostics.map((d) => `      ${d.severity}: ${d.message}`),
  ];
  if (w && !w.runnable) out.push(`      not run here: ${w.message}`);
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True' && w?.runnable)
    out.push(`      ${ready.reason}: ${ready.message}`);
  return out;
}

/** The status block printed once everything runs. */
export function statusBlock(input: StatusBlockInput): string {
  const { options, loaded, plans, plane, webUrl, tokens } = input;
  const counts: Record<string, number> = { ModuleManifest: 0, GameDefinition: 0, WorldInstance: 0 };
  for (const { object } of loaded.objects) counts[object.kind] = (counts[object.kind] || 0) + 1;
  const problems = loaded.problems.length
    ? `, ${loaded.problems.length} problems (above; those objects are skipped)`
    : '';
  const out = [
    '',
    `Anvil embedded is running — open ${webUrl}`,
    '',
    `  manifests  ${shown(options.manifests)}/: ${counts.ModuleManifest} module manifests, ${counts.GameDefinition} games, ${counts.WorldInstance} worlds${problems}`,
    `  web view   ${webUrl}   (JSON: ${webUrl}api/worlds)`,
    `  gateway    ${plane?.gateway ? plane.gateway.url : '(not running)'}   socket.io, JWT HS256 with the dev secret in ${shown(options.data)}/dev-jwt-secret`,
  ];
  for (const r of plane?.running.values() ?? []) {
    const deps = Object.keys(r.spec.deps).map((v) => ` ${v}=${r.env[v]}`);
    out.push(
      `  engine     ${r.spec.app.padEnd(18)} ${r.address.padEnd(16)} ${r.spec.module}@${r.spec.version} (${r.spec.manifestName})${deps.join('')}`,
    );
    if (r.replicas && r.replicas.count > 1)
      for (const replica of r.replicas.list([]))
        out.push(
          `    replica  ${replica.id.padEnd(18)} ${String(replica.address).padEnd(16)} REPLICA_ID=${replica.id} (behind ${r.address}; the page's Stop button stops it)`,
        );
  }
  out.push(
    `  storage    PGlite in ${shown(path.join(options.data, 'db'))}; bus: in-memory, shared by every app`,
    `  cli        npx anvil validate -f ${shown(options.manifests)}   (and: npx anvil resolve -f …)`,
    '',
  );
  for (const plan of plans)
    out.push(...worldLines(plan, input.statusOf(plan.id), input.wiring, input.botsOf(plan.id)));
  if (plans.length === 0)
    out.push(
      '  no WorldInstance in the folder: add one (see deploy/examples/world.yaml); the folder is watched',
    );
  out.push(
    '',
    '  tokens (HS256, valid 12 h; the page makes its own with the Join button):',
    `    player ${tokens.playerId}: ${tokens.player}`,
    `    admin:         ${tokens.admin}`,
    '',
    `  ${options.watch ? `Watching ${shown(options.manifests)}/ for changes. ` : ''}Ctrl-C stops everything.`,
    '',
  );
  return out.join('\n');
}
