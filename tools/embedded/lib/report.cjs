// What the terminal shows: the start-up status block and what a reload changed.
const path = require('node:path');

const bindingLine = (b) =>
  `${b.consumer} → ${b.capabilityId} → ${b.provider} (${b.providerVersion})${b.shard !== null && b.shard !== undefined ? ` shard ${b.shard}` : ''}`;

/** Bindings of each world that were added or removed between two plans (by stable binding name). */
function diffBindings(before, after) {
  const old = new Map((before || []).map((b) => [b.name, b]));
  const now = new Map((after || []).map((b) => [b.name, b]));
  const added = [...now.values()].filter((b) => !old.has(b.name));
  const removed = [...old.values()].filter((b) => !now.has(b.name));
  const changed = [...now.values()].filter(
    (b) => old.has(b.name) && JSON.stringify(old.get(b.name)) !== JSON.stringify(b),
  );
  return { added, removed, changed };
}

/** The physics.simulation providers of a world, as "module (capability version)". */
function physicsProviders(bindings) {
  return [
    ...new Set(
      (bindings || [])
        .filter((b) => b.capabilityId === 'physics.simulation')
        .map((b) => `${b.provider} (physics.simulation ${b.providerVersion})`),
    ),
  ].sort();
}

/** Lines describing what changed for one world between two plans (empty: nothing). */
function describeWorldChange(id, before, after, beforePhase, afterPhase) {
  const lines = [];
  if (!before) {
    lines.push(`world ${id}: new (phase ${afterPhase})`);
    return lines;
  }
  if (!after) {
    lines.push(
      `world ${id}: removed from the folder (no longer joinable; closed on its engines, its checkpoints deleted at the next start)`,
    );
    return lines;
  }
  const d = diffBindings(before.resolution.bindings, after.resolution.bindings);
  if (beforePhase !== afterPhase) lines.push(`world ${id}: phase ${beforePhase} → ${afterPhase}`);
  const pb = physicsProviders(before.resolution.bindings).join(', ') || 'none';
  const pa = physicsProviders(after.resolution.bindings).join(', ') || 'none';
  if (pb !== pa) lines.push(`world ${id}: PHYSICS PROVIDER CHANGED: ${pb} → ${pa}`);
  for (const b of d.removed) lines.push(`world ${id}:   - ${bindingLine(b)}`);
  for (const b of d.added) lines.push(`world ${id}:   + ${bindingLine(b)}`);
  for (const b of d.changed) lines.push(`world ${id}:   ~ ${bindingLine(b)}`);
  const errorsBefore = before.resolution.diagnostics
    .filter((x) => x.severity === 'error')
    .map((x) => x.message);
  const errorsAfter = after.resolution.diagnostics
    .filter((x) => x.severity === 'error')
    .map((x) => x.message);
  for (const m of errorsAfter.filter((m) => !errorsBefore.includes(m)))
    lines.push(`world ${id}:   ! ${m}`);
  return lines;
}

/** The status block printed once everything runs. */
function statusBlock({ options, loaded, plans, statusOf, wiring, plane, web, tokens, bots }) {
  const rel = (p) => {
    const r = path.relative(process.cwd(), p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  };
  const counts = { ModuleManifest: 0, GameDefinition: 0, WorldInstance: 0 };
  for (const { object } of loaded.objects) counts[object.kind] = (counts[object.kind] || 0) + 1;
  const out = [];
  out.push('');
  out.push(`Anvil embedded is running — open ${web.url}`);
  out.push('');
  out.push(
    `  manifests  ${rel(options.manifests)}/: ${counts.ModuleManifest} module manifests, ${counts.GameDefinition} games, ${counts.WorldInstance} worlds${loaded.problems.length ? `, ${loaded.problems.length} problems (above; those objects are skipped)` : ''}`,
  );
  out.push(`  web view   ${web.url}   (JSON: ${web.url}api/worlds)`);
  out.push(
    `  gateway    ${plane.gateway ? plane.gateway.url : '(not running)'}   socket.io, JWT HS256 with the dev secret in ${rel(options.data)}/dev-jwt-secret`,
  );
  for (const r of plane.running.values()) {
    const deps = Object.keys(r.spec.deps)
      .map((v) => ` ${v}=${r.env[v]}`)
      .join('');
    out.push(
      `  engine     ${r.spec.app.padEnd(18)} ${r.address.padEnd(16)} ${r.spec.module}@${r.spec.version} (${r.spec.manifestName})${deps}`,
    );
  }
  out.push(
    `  storage    PGlite in ${rel(path.join(options.data, 'db'))}; bus: in-memory, shared by every app`,
    `  cli        npx anvil validate -f ${rel(options.manifests)}   (and: npx anvil resolve -f …)`,
  );
  out.push('');
  for (const plan of plans) {
    const s = statusOf(plan.id);
    const w = wiring.worlds.get(plan.id);
    out.push(
      `  world ${plan.id}  game ${plan.world.spec.gameRef}  phase ${s.phase}  region ${plan.world.spec.region}  ${plan.world.spec.shards} shard(s)  ${plan.resolution.bindings.length} bindings  ${bots.list(plan.id).length} bots`,
    );
    for (const b of plan.resolution.bindings) out.push(`      ${bindingLine(b)}`);
    for (const d of plan.resolution.diagnostics) out.push(`      ${d.severity}: ${d.message}`);
    if (w && !w.runnable) out.push(`      not run here: ${w.message}`);
    const ready = s.conditions.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'True' && w && w.runnable)
      out.push(`      ${ready.reason}: ${ready.message}`);
  }
  if (plans.length === 0)
    out.push(
      '  no WorldInstance in the folder: add one (see deploy/examples/world.yaml); the folder is watched',
    );
  out.push('');
  out.push('  tokens (HS256, valid 12 h; the page makes its own with the Join button):');
  out.push(`    player ${tokens.playerId}: ${tokens.player}`);
  out.push(`    admin:         ${tokens.admin}`);
  out.push('');
  out.push(
    `  ${options.watch ? `Watching ${rel(options.manifests)}/ for changes. ` : ''}Ctrl-C stops everything.`,
  );
  out.push('');
  return out.join('\n');
}

module.exports = { statusBlock, describeWorldChange, diffBindings, bindingLine };
