// The socket.io clients of the gateway and commands benchmarks: N players connected (websocket,
// a JWT each), joined to one world, and told about every delta that carries their own body.
const { playerBodyId } = require('@anvil/engine-contract');
const jwt = require('jsonwebtoken');
const { io } = require('socket.io-client');

/** Joins in flight at a time: a join writes a session and an audit row and spawns a body. */
const JOIN_BATCH = 10;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Joins, retrying the refusals an overloaded server gives (the setup is not measured). */
async function join(client, worldId) {
  for (let attempt = 1; ; attempt++) {
    const ack = await client.socket.timeout(60_000).emitWithAck('world:join', { worldId });
    if (ack.ok) return ack;
    if (attempt >= 5 || !['ENGINE_UNAVAILABLE', 'RATE_LIMITED'].includes(ack.code))
      throw new Error(`join refused: ${ack.code} ${ack.message}`);
    await sleep(500 * attempt);
  }
}

/**
 * Waits until the server has digested the join storm (background session and audit writes,
 * spawns): three probe commands in a row acked within 100 ms, or 60 s.
 */
async function settle(client, worldId) {
  const deadline = performance.now() + 60_000;
  for (let fast = 0; fast < 3 && performance.now() < deadline;) {
    const sentAt = performance.now();
    const ack = await client.socket
      .timeout(10_000)
      .emitWithAck('cmd', { seq: ++client.seq, worldId, type: 'move', dx: 0 })
      .catch(() => ({ ok: false }));
    fast = ack.ok && performance.now() - sentAt < 100 ? fast + 1 : 0;
    await sleep(200);
  }
}

/** Runs `fn` over items, `width` at a time. */
async function inBatches(items, width, fn) {
  for (let i = 0; i < items.length; i += width)
    await Promise.all(items.slice(i, i + width).map(fn));
}

function connectClient(url, i, secret, timeoutMs, fields) {
  const player = `bot-${i}`;
  const token = jwt.sign({ sub: player }, secret, { algorithm: 'HS256', expiresIn: '1h' });
  const socket = io(url, {
    auth: { token, player },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({
        socket,
        player,
        seq: 0,
        bodyId: playerBodyId(player),
        deltas: 0,
        coalesced: 0,
        ...fields(),
      }),
    );
    socket.once('connect_error', (error) => reject(new Error(`client ${i}: ${error.message}`)));
  });
}

/** Counts a client's deltas and calls onBody(client, tick, at) for each one with its body. */
function watchDeltas(client, onBody) {
  client.socket.on('delta', (delta) => {
    const at = performance.now();
    client.deltas++;
    if (delta.fromTick !== undefined) client.coalesced++;
    const bodies = delta.bodies;
    for (let i = 0; i < bodies.length; i++) {
      if (bodies[i].id !== client.bodyId) continue;
      onBody(client, delta.tick, at);
      break;
    }
  });
}

/**
 * Connects `clients` players (each with the `fields()` of its caller), joins them to `worldId`
 * and waits for the server to settle. Resolves with { all, setupSeconds, close }.
 */
async function openClients({ url, clients, worldId, secret, fields = () => ({}), onBody }) {
  const started = performance.now();
  const all = [];
  await inBatches([...Array(clients).keys()], 100, async (i) =>
    all.push(await connectClient(url, i, secret, 30_000, fields)),
  );
  await inBatches(all, JOIN_BATCH, async (client) => {
    await join(client, worldId);
    watchDeltas(client, onBody);
  });
  const setupSeconds = (performance.now() - started) / 1000;
  await settle(all[0], worldId);
  return { all, setupSeconds, close: () => all.forEach((c) => c.socket.close()) };
}

module.exports = { openClients };
