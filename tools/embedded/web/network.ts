// The page's connections: spectating through the host's stream, or playing through the gateway.

// ---- spectating: the host's stream --------------------------------------------------------

function spectate() {
  stopSpectating();
  if (!state.worldId) return;
  const source = new EventSource(`/api/worlds/${encodeURIComponent(state.worldId)}/stream`);
  source.addEventListener('snapshot', (m: MessageEvent) => applySnapshot(JSON.parse(m.data)));
  source.addEventListener('delta', (m: MessageEvent) => applyDelta(JSON.parse(m.data)));
  source.addEventListener('world:event', (m: MessageEvent) => onWorldEvent(JSON.parse(m.data)));
  source.addEventListener('world:state', (m: MessageEvent) => showGameState(JSON.parse(m.data)));
  source.addEventListener('status', (m: MessageEvent) => setMode(JSON.parse(m.data).message));
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
  const name = nameInput.value.trim();
  const res = await fetch(`/api/token?player=${encodeURIComponent(name)}`);
  const answer = await res.json();
  // e.g. 403 HOST_NOT_ALLOWED: tokens are handed out only to a loopback Host.
  if (!res.ok) return setMode(`cannot join: ${answer.error}: ${answer.message}`);
  const { token, playerId, gatewayPort } = answer;
  nameInput.value = playerId;
  const url = `${location.protocol}//${location.hostname}:${gatewayPort}`;
  const socket = io(url, { auth: { token }, transports: ['websocket'] });
  state.socket = socket;
  state.playerId = playerId;
  setJoinButton('Leave', true);
  socket.on('connect', async () => {
    if (socket.recovered) return setMode(`playing as ${playerId} (reconnected, nothing missed)`);
    state.seq = 0;
    const ack: Ack & Partial<Snapshot> = await socket
      .timeout(10000)
      .emitWithAck<Ack & Snapshot>('world:join', { worldId: state.worldId })
      .catch((e: Error) => ({ ok: false, code: 'TIMEOUT', message: e.message }));
    if (!ack.ok || !ack.bodies) {
      logEvent(`join refused: ${ack.code}: ${ack.message}`);
      leave();
      setMode(`join refused: ${ack.code}: ${ack.message}`);
      return;
    }
    stopSpectating();
    applySnapshot({ tick: ack.tick ?? 0, bodies: ack.bodies });
    const { gameState } = ack as { gameState?: GameStateMessage };
    if (gameState) showGameState(gameState);
    setMode(`playing as ${playerId} through the gateway (${url})`);
    canvas.focus();
  });
  socket.on('connect_error', (err: Error & { data?: Ack }) =>
    setMode(`gateway: ${err.data ? `${err.data.code}: ${err.data.message}` : err.message}`),
  );
  socket.on('disconnect', (reason: string) =>
    setMode(`gateway disconnected (${reason}); reconnecting…`),
  );
  socket.on('delta', (d: Delta) => d.worldId === state.worldId && applyDelta(d));
  socket.on(
    'world:snapshot',
    (s: Snapshot & { worldId: string }) => s.worldId === state.worldId && applySnapshot(s),
  );
  socket.on('world:event', (e: GameEvent) => e.worldId === state.worldId && onWorldEvent(e));
  socket.on('world:state', (g: GameStateMessage) => showGameState(g));
  socket.on('exception', (e: Ack) => logEvent(`gateway: ${e.code}: ${e.message}`));
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

async function command(payload: { type: string; dx?: number }) {
  if (!state.socket || !state.socket.connected) return;
  const seq = ++state.seq;
  const ack: Ack = await state.socket
    .timeout(5000)
    .emitWithAck('cmd', { seq, worldId: state.worldId, ...payload })
    .catch((e: Error) => ({ ok: false, seq, code: 'TIMEOUT', message: e.message }));
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

const KEYS: Record<string, 'left' | 'right'> = {
  ArrowLeft: 'left',
  KeyA: 'left',
  ArrowRight: 'right',
  KeyD: 'right',
};
window.addEventListener('keydown', (e) => {
  if (!state.socket || e.target === nameInput) return;
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

function setJoinButton(text: string, leaving: boolean) {
  const b = $('join');
  b.textContent = text;
  b.classList.toggle('leave', leaving);
}
function setMode(text: string) {
  $('mode').textContent = text;
}
