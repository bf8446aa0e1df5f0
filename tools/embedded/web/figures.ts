// The analytics panel: the figures the analytics module keeps of the world on screen (its
// HTTP answer, through the host's /api/worlds/<id>/figures), refreshed with the status.

interface FiguresAnswer {
  players?: { now: number; series: Array<{ peak: number }> };
  commands?: { series: Array<{ perSecond: number }> };
  sessions?: { count: number; meanMs: number | null; p95Ms: number | null; open: number };
  totals?: { events: number; intents: number; malformed: number };
  error?: { code: string; message: string } | string;
}

const seconds = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;

/** Shows the world's figures, or why there are none. */
async function refreshFigures(world: WorldInfo) {
  if (!world.analytics) {
    $('figures').textContent = 'no analytics module bound';
    return;
  }
  const res = await fetch(`/api/worlds/${encodeURIComponent(world.id)}/figures`);
  const f = (await res.json()) as FiguresAnswer;
  if (world.id !== state.worldId) return;
  $('analyticsModule').textContent = `(${world.analytics})`;
  if (!res.ok || !f.players || !f.commands || !f.sessions || !f.totals) {
    const code = typeof f.error === 'string' ? f.error : f.error?.code;
    $('figures').textContent =
      code === 'WORLD_NOT_FOUND' ? 'no events counted yet' : `unavailable (${code})`;
    return;
  }
  const peak = Math.max(f.players.now, ...f.players.series.map((b) => b.peak));
  const last = f.commands.series.slice(-10);
  const perSecond = last.length ? last.reduce((sum, b) => sum + b.perSecond, 0) / last.length : 0;
  const rows: Array<[string, string]> = [
    ['players now / peak', `${f.players.now} / ${peak}`],
    ['intents per second', perSecond.toFixed(1)],
    ['sessions ended', String(f.sessions.count)],
    ['session mean / p95', `${seconds(f.sessions.meanMs)} / ${seconds(f.sessions.p95Ms)}`],
    ['events counted', String(f.totals.events)],
  ];
  $('figures').innerHTML = `<table class="game">${rows
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="figure">${esc(v)}</td></tr>`)
    .join('')}</table>`;
}
