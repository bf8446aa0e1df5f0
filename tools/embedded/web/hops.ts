// "Your last commands": the time each of your commands spent in each hop (gateway, interaction
// engine, physics at its tick, the command log, the delta's publish, the fan-out), read from the
// same spans a trace backend would get (GET /api/commands, docs/observability.md).

interface HopView {
  hop: string;
  startMs: number;
  durationMs: number;
  tick?: number;
  failed?: boolean;
}
interface CommandView {
  type: string;
  totalMs: number;
  hops: HopView[];
}

const HOP_ORDER = [
  'gateway',
  'interaction engine',
  'physics',
  'command log',
  'delta publish',
  'fan-out',
  'checkpoint',
];

function hopLine(c: CommandView): string {
  const hops = [...c.hops].sort((a, b) => HOP_ORDER.indexOf(a.hop) - HOP_ORDER.indexOf(b.hop));
  const cells = hops
    .map(
      (h) =>
        `<span class="hop${h.failed ? ' failed' : ''}" title="starts at +${h.startMs} ms">${esc(h.hop)}${
          h.tick !== undefined ? ` @${h.tick}` : ''
        } ${h.durationMs} ms</span>`,
    )
    .join(' ');
  return `<li><b>${esc(c.type)}</b> ${c.totalMs} ms: ${cells}</li>`;
}

async function refreshHops() {
  if (!state.playerId) return void ($('hops').innerHTML = '<i>join to see your commands</i>');
  try {
    const res = await fetch(`/api/commands?player=${encodeURIComponent(state.playerId)}`);
    const { commands } = (await res.json()) as { commands: CommandView[] };
    $('hops').innerHTML = commands.length
      ? commands.map(hopLine).join('')
      : '<i>no command yet: move or jump</i>';
  } catch {
    $('hops').textContent = 'unavailable';
  }
}

setInterval(refreshHops, 1000);
