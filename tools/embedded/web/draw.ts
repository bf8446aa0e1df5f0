// Drawing the world on the canvas, every animation frame.

// ---- drawing ---------------------------------------------------------------------------------

function colourOf(id: string) {
  let h = 2166136261; // FNV-1a, then murmur3's finaliser: one letter apart, far-apart hues
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return `hsl(${Math.floor((h / 4294967296) * 360)}, 75%, 62%)`;
}

function draw() {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const arena = (state.worldInfo && state.worldInfo.arena) || { widthMm: 40000, heightMm: 20000 };
  const pad = 16;
  const scale = Math.min((w - 2 * pad) / arena.widthMm, (h - 2 * pad) / arena.heightMm);
  const ox = (w - arena.widthMm * scale) / 2;
  const oy = (h + arena.heightMm * scale) / 2;
  const X = (mm: number) => ox + mm * scale;
  const Y = (mm: number) => oy - mm * scale;
  // grid every 5 m, then the arena's walls
  ctx.strokeStyle = '#18212b';
  ctx.lineWidth = 1;
  for (let x = 0; x <= arena.widthMm; x += 5000) {
    ctx.beginPath();
    ctx.moveTo(X(x), Y(0));
    ctx.lineTo(X(x), Y(arena.heightMm));
    ctx.stroke();
  }
  for (let y = 0; y <= arena.heightMm; y += 5000) {
    ctx.beginPath();
    ctx.moveTo(X(0), Y(y));
    ctx.lineTo(X(arena.widthMm), Y(y));
    ctx.stroke();
  }
  ctx.strokeStyle = '#4a5b6c';
  ctx.lineWidth = 3;
  ctx.strokeRect(X(0), Y(arena.heightMm), arena.widthMm * scale, arena.heightMm * scale);
  const now = performance.now();
  const labels: Array<{ text: string; x: number; y: number; mine: boolean }> = [];
  for (const b of state.bodies.values()) {
    // Between deltas, move on with the last velocity for at most 100 ms.
    const dt = Math.min(100, now - b.at) / 1000;
    const x = b.x + b.vx * dt;
    const y = b.y + b.vy * dt;
    const player = isPlayerBodyId(b.id);
    const mine = Boolean(state.playerId) && b.id === playerBodyId(state.playerId as string);
    ctx.save();
    ctx.translate(X(x), Y(y));
    ctx.rotate(-(b.angle || 0) / 1000);
    ctx.fillStyle = player ? colourOf(b.id) : b.shape === 'ball' ? '#6fa8dc' : '#b7894f';
    ctx.strokeStyle = mine ? '#ffffff' : 'rgba(0,0,0,.5)';
    ctx.lineWidth = mine ? 3 : 1.5;
    if (b.shape === 'ball') {
      ctx.beginPath();
      ctx.arc(0, 0, Math.max(2, b.hw * scale), 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      if (!player) {
        ctx.beginPath();
        ctx.moveTo(0, 0);
        ctx.lineTo(b.hw * scale, 0);
        ctx.stroke();
      }
    } else {
      ctx.fillRect(-b.hw * scale, -b.hh * scale, 2 * b.hw * scale, 2 * b.hh * scale);
      ctx.strokeRect(-b.hw * scale, -b.hh * scale, 2 * b.hw * scale, 2 * b.hh * scale);
    }
    ctx.restore();
    if (player)
      labels.push({
        text: b.id.slice(PLAYER_BODY_PREFIX.length),
        x: X(x),
        y: Y(y) - b.hw * scale - 6,
        mine,
      });
  }
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  // Labels of bodies close together are stacked instead of drawn over each other.
  const placed: Array<{ x: number; y: number; half: number }> = [];
  for (const l of labels.sort((a, b) => a.x - b.x)) {
    const half = ctx.measureText(l.text).width / 2 + 3;
    const x = Math.min(w - half, Math.max(half, l.x));
    let y = Math.max(14, l.y);
    while (placed.some((p) => Math.abs(p.x - x) < p.half + half && Math.abs(p.y - y) < 13)) y -= 14;
    placed.push({ x, y, half });
    ctx.fillStyle = l.mine ? '#ffffff' : '#c9d3dd';
    ctx.fillText(l.text, x, y);
  }
  $('hud').textContent =
    `${state.worldId || ''}  tick ${state.tick}  bodies ${state.bodies.size}  deltas/s ${state.deltaRate}`;
  requestAnimationFrame(draw);
}
setInterval(() => {
  state.deltaRate = state.deltas;
  state.deltas = 0;
}, 1000);
