// The live view: draws a world's bodies on a canvas from a snapshot then deltas. Before you
// join it spectates through the host's stream (/api/worlds/<id>/stream, fed by the bus); once
// you join it is a real gateway client (socket.io, JWT, world:join, cmd with seq and acks).
/* global io */
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const canvas = $('view');
  const ctx = canvas.getContext('2d');
  const state = {
    config: null,
    worldId: null,
    worldInfo: null,
    bodies: new Map(), // id -> body with {hw, hh, shape, kind, x, y, angle, vx, vy, at}
    tick: 0,
    deltas: 0,
    deltaRate: 0,
    source: null, // EventSource while spectating
    socket: null, // socket.io while playing
    playerId: null,
    seq: 0,
    keys: { left: false, right: false },
    lastDx: 0,
    resyncTimer: null,
  };

  // ---- world state ------------------------------------------------------------------------

  function applySnapshot(snap) {
    const now = performance.now();
    state.bodies = new Map(snap.bodies.map((b) => [b.id, { ...b, at: now }]));
    state.tick = snap.tick;
  }

  function applyDelta(delta) {
    const now = performance.now();
    let unknown = false;
    for (const change of delta.bodies) {
      const body = state.bodies.get(change.id);
      if (body) Object.assign(body, change, { at: now });
      else if (change.id.startsWith('p:'))
        state.bodies.set(change.id, {
          shape: 'ball',
          kind: 'dynamic',
          hw: 300,
          hh: 300,
          ...change,
          at: now,
        });
      else {
        state.bodies.set(change.id, {
          shape: 'box',
          kind: 'dynamic',
          hw: 400,
          hh: 400,
          ...change,
          at: now,
          guessed: true,
        });
        unknown = true;
      }
    }
    for (const id of delta.removed || []) state.bodies.delete(id);
    state.tick = Math.max(state.tick, delta.tick);
    state.deltas++;
    if (unknown) scheduleResync();
  }

  function scheduleResync() {
    if (state.resyncTimer) return;
    state.resyncTimer = setTimeout(async () => {
      state.resyncTimer = null;
      try {
        if (state.socket && state.socket.connected) {
          const snap = await state.socket
            .timeout(5000)
            .emitWithAck('world:snapshot', { worldId: state.worldId });
          if (snap.ok) applySnapshot(snap);
        } else {
          const res = await fetch(`/api/worlds/${encodeURIComponent(state.worldId)}/snapshot`);
          if (res.ok) applySnapshot(await res.json());
        }
      } catch (_) {
        /* next delta will try again */
      }
    }, 1000);
  }

  function logEvent(text) {
    const li = document.createElement('li');
    li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
    const list = $('events');
    list.prepend(li);
    while (list.children.length > 60) list.lastChild.remove();
  }

  const seenEvents = new Set(); // an event can reach us twice while switching from spectating to playing
  function onWorldEvent(e) {
    const key = `${e.tick}/${e.type}/${e.playerId}/${e.targetId || ''}`;
    if (seenEvents.has(key)) return;
    seenEvents.add(key);
    if (seenEvents.size > 500) seenEvents.delete(seenEvents.values().next().value);
    const what =
      e.type === 'player-left'
        ? `left (${e.reason})`
        : e.type === 'player-interacted'
          ? `interacted with ${e.targetId}`
          : e.type.replace('player-', '');
    logEvent(`tick ${e.tick}: ${e.playerId} ${what}`);
  }

  // ---- spectating: the host's stream --------------------------------------------------------

  function spectate() {
    stopSpectating();
    const source = new EventSource(`/api/worlds/${encodeURIComponent(state.worldId)}/stream`);
    source.addEventListener('snapshot', (m) => applySnapshot(JSON.parse(m.data)));
    source.addEventListener('delta', (m) => applyDelta(JSON.parse(m.data)));
    source.addEventListener('world:event', (m) => onWorldEvent(JSON.parse(m.data)));
    source.addEventListener('status', (m) => setMode(JSON.parse(m.data).message));
    source.onopen = () => setMode('spectating (host stream, from the bus)');
    source.onerror = () => setMode('host stream interrupted; retrying…');
    state.source = source;
  }

  function stopSpectating() {
    if (state.source) state.source.close();
    state.source = null;
  }

  // ---- playing: a real gateway client -------------------------------------------------------

  async function join() {
    const name = $('name').value.trim();
    const res = await fetch(`/api/token?player=${encodeURIComponent(name)}`);
    const answer = await res.json();
    // e.g. 403 HOST_NOT_ALLOWED: tokens are handed out only to a loopback Host.
    if (!res.ok) return setMode(`cannot join: ${answer.error}: ${answer.message}`);
    const { token, playerId, gatewayPort } = answer;
    $('name').value = playerId;
    const url = `${location.protocol}//${location.hostname}:${gatewayPort}`;
    const socket = io(url, { auth: { token }, transports: ['websocket'] });
    state.socket = socket;
    state.playerId = playerId;
    setJoinButton('Leave', true);
    socket.on('connect', async () => {
      if (socket.recovered) return setMode(`playing as ${playerId} (reconnected, nothing missed)`);
      state.seq = 0;
      const ack = await socket
        .timeout(10000)
        .emitWithAck('world:join', { worldId: state.worldId })
        .catch((e) => ({ ok: false, code: 'TIMEOUT', message: e.message }));
      if (!ack.ok) {
        logEvent(`join refused: ${ack.code}: ${ack.message}`);
        leave();
        setMode(`join refused: ${ack.code}: ${ack.message}`);
        return;
      }
      stopSpectating();
      applySnapshot(ack);
      setMode(`playing as ${playerId} through the gateway (${url})`);
      canvas.focus();
    });
    socket.on('connect_error', (err) =>
      setMode(`gateway: ${err.data ? `${err.data.code}: ${err.data.message}` : err.message}`),
    );
    socket.on('disconnect', (reason) => setMode(`gateway disconnected (${reason}); reconnecting…`));
    socket.on('delta', (d) => d.worldId === state.worldId && applyDelta(d));
    socket.on('world:snapshot', (s) => s.worldId === state.worldId && applySnapshot(s));
    socket.on('world:event', (e) => e.worldId === state.worldId && onWorldEvent(e));
    socket.on('exception', (e) => logEvent(`gateway: ${e.code}: ${e.message}`));
  }

  function leave() {
    if (state.socket) {
      const socket = state.socket;
      socket
        .timeout(2000)
        .emitWithAck('world:leave', { worldId: state.worldId })
        .catch(() => undefined)
        .finally(() => socket.close());
    }
    state.socket = null;
    state.playerId = null;
    setJoinButton('Join', false);
    spectate();
  }

  async function command(payload) {
    if (!state.socket || !state.socket.connected) return;
    const seq = ++state.seq;
    const ack = await state.socket
      .timeout(5000)
      .emitWithAck('cmd', { seq, worldId: state.worldId, ...payload })
      .catch((e) => ({ ok: false, seq, code: 'TIMEOUT', message: e.message }));
    $('ack').textContent = ack.ok
      ? `#${ack.seq} ${payload.type} → tick ${ack.tick}`
      : `#${seq} ${payload.type}: ${ack.code}${ack.engineCode ? `/${ack.engineCode}` : ''}`;
  }

  function updateMove() {
    const dx = (state.keys.right ? 6 : 0) - (state.keys.left ? 6 : 0);
    if (dx !== state.lastDx) {
      state.lastDx = dx;
      command({ type: 'move', dx });
    }
  }

  const KEYS = { ArrowLeft: 'left', KeyA: 'left', ArrowRight: 'right', KeyD: 'right' };
  window.addEventListener('keydown', (e) => {
    if (!state.socket || e.target === $('name')) return;
    if (KEYS[e.code]) {
      state.keys[KEYS[e.code]] = true;
      updateMove();
      e.preventDefault();
    } else if ((e.code === 'Space' || e.code === 'KeyW' || e.code === 'ArrowUp') && !e.repeat) {
      command({ type: 'jump' });
      e.preventDefault();
    }
  });
  window.addEventListener('keyup', (e) => {
    if (KEYS[e.code]) {
      state.keys[KEYS[e.code]] = false;
      updateMove();
    }
  });
  window.addEventListener('blur', () => {
    state.keys.left = state.keys.right = false;
    updateMove();
  });

  function setJoinButton(text, leaving) {
    const b = $('join');
    b.textContent = text;
    b.classList.toggle('leave', leaving);
  }
  function setMode(text) {
    $('mode').textContent = text;
  }

  // ---- drawing ---------------------------------------------------------------------------------

  function colourOf(id) {
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
    const X = (mm) => ox + mm * scale;
    const Y = (mm) => oy - mm * scale;
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
    const labels = [];
    for (const b of state.bodies.values()) {
      // Between deltas, move on with the last velocity for at most 100 ms.
      const dt = Math.min(100, now - b.at) / 1000;
      const x = b.x + b.vx * dt;
      const y = b.y + b.vy * dt;
      const player = b.id.startsWith('p:');
      const mine = state.playerId && b.id === `p:${state.playerId}`;
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
      if (player) labels.push({ text: b.id.slice(2), x: X(x), y: Y(y) - b.hw * scale - 6, mine });
    }
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    // Labels of bodies close together are stacked instead of drawn over each other.
    const placed = [];
    for (const l of labels.sort((a, b) => a.x - b.x)) {
      const half = ctx.measureText(l.text).width / 2 + 3;
      const x = Math.min(w - half, Math.max(half, l.x));
      let y = Math.max(14, l.y);
      while (placed.some((p) => Math.abs(p.x - x) < p.half + half && Math.abs(p.y - y) < 13))
        y -= 14;
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

  // ---- status panel ------------------------------------------------------------------------------

  const esc = (s) =>
    String(s).replace(
      /[&<>"]/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
    );

  async function refreshStatus() {
    try {
      const res = await fetch('/api/worlds');
      const data = await res.json();
      const select = $('world');
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
      $('bindingCount').textContent = `(${world.bindings.length})`;
      $('bindings').tBodies[0].innerHTML = world.bindings
        .map(
          (b) =>
            `<tr><td>${esc(b.consumer)}</td><td>${esc(b.capabilityId)}${b.shard !== null ? ` #${b.shard}` : ''}</td><td>${esc(b.provider)}</td><td>${esc(b.providerVersion)}</td></tr>`,
        )
        .join('');
      $('players').innerHTML =
        world.players
          .map((p) => `<span class="player${p === state.playerId ? ' me' : ''}">${esc(p)}</span>`)
          .join('') || '<i>nobody yet</i>';
    } catch (_) {
      setMode('the host does not answer');
    }
  }

  function selectWorld(id) {
    if (state.socket) leave();
    state.worldId = id;
    $('world').value = id;
    state.bodies.clear();
    spectate();
  }

  $('world').addEventListener('change', (e) => selectWorld(e.target.value));
  $('join').addEventListener('click', () => (state.socket ? leave() : join()));
  // Keyboard only: type a name, Enter joins (then the canvas has the focus for the arrows).
  $('name').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || state.socket) return;
    e.preventDefault();
    join();
  });
  // What the canvas shows, read-only, for the console and the browser test.
  window.anvilView = {
    worldId: () => state.worldId,
    playerId: () => state.playerId,
    tick: () => state.tick,
    bodies: () =>
      [...state.bodies.values()].map(({ id, shape, kind, x, y }) => ({ id, shape, kind, x, y })),
  };
  refreshStatus();
  setInterval(refreshStatus, 2000);
  requestAnimationFrame(draw);
})();
