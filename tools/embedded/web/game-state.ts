// The per-game state panel: whatever the world's game module publishes (world:state), shown
// without knowing the game — scalars as rows, objects (e.g. scores) as nested tables.

const MAX_ROWS = 50;

function gameValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return esc(value);
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  const rows = entries
    .slice(0, MAX_ROWS)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${gameValue(v)}</td></tr>`)
    .join('');
  return `<table class="game">${rows}</table>`;
}

/** Shows a world's game state, if it is the world on screen and not older than the one shown. */
function showGameState(message: GameStateMessage) {
  if (message.worldId !== state.worldId) return;
  if (state.gameStateTick !== null && message.tick < state.gameStateTick) return;
  state.gameStateTick = message.tick;
  $('gameModule').textContent = `(${message.module}, tick ${message.tick})`;
  $('gameState').innerHTML = gameValue(message.state);
}

/** Another world on screen: its state comes with its stream or join. */
function clearGameState() {
  state.gameStateTick = null;
  $('gameModule').textContent = '';
  $('gameState').textContent = 'no game state yet';
}
