// The world as the page knows it: its bodies from a snapshot then deltas, and its game events.

const { PLAYER_BODY_PREFIX, MAX_PLAYER_ID_LENGTH } = anvilContract;
const playerBodyId = (playerId: string) => `${PLAYER_BODY_PREFIX}${playerId}`;
const isPlayerBodyId = (bodyId: string) => bodyId.startsWith(PLAYER_BODY_PREFIX);
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('view');
const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
const nameInput = $<HTMLInputElement>('name');
nameInput.maxLength = MAX_PLAYER_ID_LENGTH;
const state = {
  worldId: null as string | null,
  worldInfo: null as WorldInfo | null,
  bodies: new Map<string, ViewBody>(),
  tick: 0,
  deltas: 0,
  deltaRate: 0,
  source: null as EventSource | null, // while spectating
  socket: null as ViewSocket | null, // socket.io while playing
  playerId: null as string | null,
  seq: 0,
  keys: { left: false, right: false },
  lastDx: 0,
  resyncTimer: null as ReturnType<typeof setTimeout> | null,
  /** The tick of the game state shown (world:state), null while none is. */
  gameStateTick: null as number | null,
};

/** What a delta's body that was not in the snapshot is drawn as until the next snapshot. */
const PLAYER_DEFAULTS = {
  shape: 'ball',
  kind: 'dynamic',
  hw: 300,
  hh: 300,
  x: 0,
  y: 0,
  vx: 0,
  vy: 0,
};
const UNKNOWN_DEFAULTS = {
  shape: 'box',
  kind: 'dynamic',
  hw: 400,
  hh: 400,
  x: 0,
  y: 0,
  vx: 0,
  vy: 0,
};

// ---- world state ------------------------------------------------------------------------

function applySnapshot(snap: Snapshot) {
  const now = performance.now();
  state.bodies = new Map(snap.bodies.map((b) => [b.id, { ...b, at: now }]));
  state.tick = snap.tick;
}

function applyDelta(delta: Delta) {
  const now = performance.now();
  let unknown = false;
  for (const change of delta.bodies) {
    const body = state.bodies.get(change.id);
    if (body) Object.assign(body, change, { at: now });
    else if (isPlayerBodyId(change.id))
      state.bodies.set(change.id, {
        ...PLAYER_DEFAULTS,
        ...change,
        at: now,
      });
    else {
      state.bodies.set(change.id, {
        ...UNKNOWN_DEFAULTS,
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
    if (!state.worldId) return;
    try {
      if (state.socket && state.socket.connected) {
        const snap = await state.socket
          .timeout(5000)
          .emitWithAck<Ack & Snapshot>('world:snapshot', { worldId: state.worldId });
        if (snap.ok) applySnapshot(snap);
      } else {
        const res = await fetch(`/api/worlds/${encodeURIComponent(state.worldId)}/snapshot`);
        if (res.ok) applySnapshot(await res.json());
      }
    } catch {
      /* next delta will try again */
    }
  }, 1000);
}

function logEvent(text: string) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  const list = $('events');
  list.prepend(li);
  while (list.children.length > 60) list.lastChild?.remove();
}

const seenEvents = new Set<string>(); // an event can reach us twice while switching from spectating to playing
function onWorldEvent(e: GameEvent) {
  const key = `${e.tick}/${e.type}/${e.playerId}/${e.targetId || ''}`;
  if (seenEvents.has(key)) return;
  seenEvents.add(key);
  if (seenEvents.size > 500) seenEvents.delete(seenEvents.values().next().value as string);
  const what =
    e.type === 'player-left'
      ? `left (${e.reason})`
      : e.type === 'player-interacted'
        ? `interacted with ${e.targetId}`
        : e.type.replace('player-', '');
  logEvent(`tick ${e.tick}: ${e.playerId} ${what}`);
}
