// The physics replicas panel: which replica runs each world (from the API's replicas and the
// world's lease, `status.placement`), and a Stop/Start button per replica (`--replicas 2..4`).
// Stopping one leaves its worlds to the others, which take them over; the canvas goes on.

/** The line of the status panel that says where the world's physics runs now. */
function placementLine(world: WorldInfo): string {
  const p = world.status.placement;
  if (!p) return '';
  const where = `<b class="replica-name">${esc(p.replica)}</b> · epoch ${p.epoch}`;
  if (p.state === 'Running') return `<div class="placement">physics on ${where}</div>`;
  if (p.state === 'OwnerLost')
    return `<div class="placement moving">physics: ${where} is gone; another replica takes the world over…</div>`;
  return `<div class="placement">physics: closed on ${where}</div>`;
}

/** Rows of the replicas table: state, worlds, and a button when there is another replica. */
function showReplicas(replicas: ReplicaInfo[], worldId: string | null) {
  const perModule = new Map<string, number>();
  for (const r of replicas) perModule.set(r.module, (perModule.get(r.module) ?? 0) + 1);
  const single = replicas.every((r) => (perModule.get(r.module) ?? 0) < 2);
  $('replicaHint').textContent = single
    ? '(npm start -- --replicas 2: stop one, its worlds move)'
    : '';
  $<HTMLTableElement>('replicas').tBodies[0].innerHTML = replicas
    .map((r) => {
      const action = r.state === 'stopped' ? 'start' : 'stop';
      const button =
        (perModule.get(r.module) ?? 0) < 2
          ? ''
          : `<button type="button" class="replica-action ${action}" data-replica="${esc(r.id)}" data-action="${action}"${
              r.state === 'running' || r.state === 'stopped' ? '' : ' disabled'
            }>${action === 'stop' ? 'Stop' : 'Start'}</button>`;
      const worlds = r.worlds
        .map((w) => `<span class="${w === worldId ? 'here' : ''}">${esc(w)}</span>`)
        .join(' ');
      const current = worldId !== null && r.worlds.includes(worldId) ? ' current' : '';
      return `<tr class="replica ${r.state}${current}" data-replica="${esc(r.id)}"><td>${esc(r.id)}</td><td class="state">${r.state}</td><td class="worlds">${worlds || '–'}</td><td>${button}</td></tr>`;
    })
    .join('');
}

$('replicas').addEventListener('click', async (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-replica]');
  if (!button) return;
  const { replica, action } = button.dataset as { replica: string; action: 'stop' | 'start' };
  button.disabled = true;
  try {
    const res = await fetch(`/api/replicas/${encodeURIComponent(replica)}/${action}`, {
      method: 'POST',
    });
    const answer = await res.json();
    if (!res.ok) logEvent(`replica ${replica}: ${answer.error}: ${answer.message}`);
    else if (action === 'start') logEvent(`replica ${replica} started`);
    else
      logEvent(
        `replica ${replica} stopped${answer.left.length ? `: ${answer.left.join(', ')} move to another replica` : ''}`,
      );
  } catch (error) {
    logEvent(`replica ${replica}: ${error instanceof Error ? error.message : error}`);
  }
  await refreshStatus();
});
