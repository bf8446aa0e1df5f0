// The live view: draws a world's bodies on a canvas from a snapshot then deltas. Before you
// join it spectates through the host's stream (/api/worlds/<id>/stream, fed by the bus); once
// you join it is a real gateway client (socket.io, JWT, world:join, cmd with seq and acks).
// Browser scripts, no modules: tsc (tsconfig.web.json) joins web/*.ts into dist/web/app.js.

// ---- status panel ------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ESCAPES[c]);

async function refreshStatus() {
  try {
    const res = await fetch('/api/worlds');
    const data = (await res.json()) as WorldsAnswer;
    const select = $<HTMLSelectElement>('world');
    const ids = data.worlds.map((w) => w.id);
    if (
      select.options.length !== ids.length ||
      ids.some((id, i) => select.options[i].value !== id)
    ) {
      select.innerHTML = ids.map((id) => `<option>${esc(id)}</option>`).join('');
      if (state.worldId) select.value = state.worldId;
    }
    if (!state.worldId && ids.length)
      selectWorld(new URLSearchParams(location.search).get('world') || ids[0]);
    const world = data.worlds.find((w) => w.id === state.worldId);
    state.worldInfo = world || null;
    if (!world) return;
    $('phase').textContent = world.status.phase;
    $('phase').className = `phase ${world.status.phase}`;
    $('status').innerHTML =
      `<div>game <b>${esc(world.spec.gameRef)}</b> · region ${esc(world.spec.region)} · ${world.spec.shards} shard(s) · ${world.tickHz ? `${world.tickHz} Hz` : 'not ticking'}</div>` +
      placementLine(world) +
      world.status.conditions
        .map(
          (c) =>
            `<div class="cond"><b class="${c.status}">${c.type}=${c.status}</b> ${esc(c.reason)}: ${esc(c.message)}</div>`,
        )
        .join('') +
      world.status.diagnostics
        .map((d) => `<div class="diag ${d.severity}">${d.severity}: ${esc(d.message)}</div>`)
        .join('') +
      (data.problems.length
        ? `<div class="diag error">${data.problems.length} invalid object(s) in the folder: see the terminal</div>`
        : '');
    $('engines').innerHTML =
      (data.gateway
        ? `<div class="engine">gateway ${esc(data.gateway.url)}</div>`
        : '<div class="engine">gateway not running</div>') +
      world.engines
        .map(
          (e) =>
            `<div class="engine">${esc(e.app)} ${esc(e.address || '')} ← ${esc(e.module)}@${esc(e.version)} (${esc(e.via)})</div>`,
        )
        .join('');
    showReplicas(data.replicas, world.id);
    $('bindingCount').textContent = `(${world.bindings.length})`;
    $<HTMLTableElement>('bindings').tBodies[0].innerHTML = world.bindings
      .map(
        (b) =>
          `<tr><td>${esc(b.consumer)}</td><td>${esc(b.capabilityId)}${b.shard !== null ? ` #${b.shard}` : ''}</td><td>${esc(b.provider)}</td><td>${esc(b.providerVersion)}</td></tr>`,
      )
      .join('');
    $('players').innerHTML =
      world.players
        .map((p) => `<span class="player${p === state.playerId ? ' me' : ''}">${esc(p)}</span>`)
        .join('') || '<i>nobody yet</i>';
    await refreshFigures(world).catch(() => ($('figures').textContent = 'unavailable'));
  } catch {
    setMode('the host does not answer');
  }
}

function selectWorld(id: string) {
  if (state.socket) leave();
  state.worldId = id;
  $<HTMLSelectElement>('world').value = id;
  state.bodies.clear();
  clearGameState();
  spectate();
}

$('world').addEventListener('change', (e) => selectWorld((e.target as HTMLSelectElement).value));
$('join').addEventListener('click', () => (state.socket ? leave() : join()));
// Keyboard only: type a name, Enter joins (then the canvas has the focus for the arrows).
nameInput.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' || state.socket) return;
  e.preventDefault();
  join();
});
// What the canvas shows, read-only, for the console and the browser test.
(window as unknown as { anvilView: unknown }).anvilView = {
  worldId: () => state.worldId,
  playerId: () => state.playerId,
  tick: () => state.tick,
  bodies: () =>
    [...state.bodies.values()].map(({ id, shape, kind, x, y }) => ({ id, shape, kind, x, y })),
};
refreshStatus();
setInterval(refreshStatus, 2000);
requestAnimationFrame(draw);
