// The client side of the gateway benchmark: N socket.io clients in one world, each sending a
// `move` at a steady interval and timing it until the first delta that shows it (the first
// delta with tick >= the ack's tick that contains the player's body).
const { playerBodyId } = require('@anvil/engine-contract');
const jwt = require('jsonwebtoken');
const { io } = require('socket.io-client');

/** Joins in flight at a time: a join writes a session and an audit row and spawns a body. */
const JOIN_BATCH = 10;

/** Joins, retrying the refusals an overloaded server gives (the setup is not measured). */
async function join(client, worldId) {
  for (let attempt = 1; ; attempt++) {
    const ack = await client.socket.timeout(60_000).emitWithAck('world:join', { worldId });
    if (ack.ok) return ack;
    if (attempt >= 5 || !['ENGINE_UNAVAILABLE', 'RATE_LIMITED'].includes(ack.code))
      throw new Error(`join refused: ${ack.code} ${ack.message}`);
    await new Promise((r) => setTimeout(r, 500 * attempt));
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
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs `fn` over items, `width` at a time. */
async function inBatches(items, width, fn) {
  for (let i = 0; i < items.length; i += width)
    await Promise.all(items.slice(i, i + width).map(fn));
}

function connectClient(url, i, secret, timeoutMs) {
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
        pending: undefined,
        recent: [],
        deltas: 0,
        coalesced: 0,
      }),
    );
    socket.once('connect_error', (error) => reject(new Error(`client ${i}: ${error.message}`)));
  });
}

/** Completes a client's pending command when `tick` (the tick of a delta with its body) reflects it. */
function settle(client, tick, at, sample) {
  const pending = client.pending;
  if (!pending || pending.tick === undefined || tick < pending.tick) return false;
  client.pending = undefined;
  if (sample.recording) sample.latencies.push(at - pending.sentAt);
  return true;
}

function watchDeltas(client, sample) {
  client.socket.on('delta', (delta) => {
    const at = performance.now();
    client.deltas++;
    if (delta.fromTick !== undefined) client.coalesced++;
    const bodies = delta.bodies;
    for (let i = 0; i < bodies.length; i++) {
      if (bodies[i].id !== client.bodyId) continue;
      if (!settle(client, delta.tick, at, sample)) {
        client.recent.push({ tick: delta.tick, at });
        if (client.recent.length > 8) client.recent.shift();
      }
      break;
    }
  });
}

function sendCommand(client, worldId, sample, timeoutMs) {
  if (client.pending) {
    if (performance.now() - client.pending.sentAt < timeoutMs) return void sample.skipped++;
    sample.timeouts++;
  }
  const seq = ++client.seq;
  const pending = { seq, sentAt: performance.now(), tick: undefined };
  client.pending = pending;
  client.recent = [];
  // 1 mm/s one way, then the other: every command changes the body's velocity (the engine also
  // puts so slow a body to sleep after a few ticks, so the world stays quiet between commands).
  const dx = seq % 2 === 1 ? 0.001 : -0.001;
  if (sample.recording) sample.sent++;
  client.socket.emit('cmd', { seq, worldId, type: 'move', dx }, (ack) => {
    const at = performance.now();
    if (sample.recording) sample.acks.push(at - pending.sentAt);
    if (!ack.ok) {
      sample.refused[ack.code] = (sample.refused[ack.code] ?? 0) + 1;
      if (client.pending === pending) client.pending = undefined;
      return;
    }
    if (client.pending !== pending) return;
    pending.tick = ack.tick;
    const early = client.recent.find((d) => d.tick >= ack.tick);
    if (early) settle(client, early.tick, early.at, sample);
  });
}

/**
 * Connects `clients` players, joins them, then runs commands every `intervalMs` per client for
 * `warmupMs + durationMs`, recording only after the warm-up. Returns latencies in ms.
 */
async function runLoad({
  url,
  clients,
  worldId,
  secret,
  intervalMs,
  warmupMs,
  durationMs,
  timeoutMs = 5_000,
  onRecording = async () => undefined,
}) {
  const sample = {
    recording: false,
    latencies: [],
    acks: [],
    sent: 0,
    skipped: 0,
    timeouts: 0,
    refused: {},
  };
  const started = performance.now();
  const all = [];
  await inBatches([...Array(clients).keys()], 100, async (i) =>
    all.push(await connectClient(url, i, secret, 30_000)),
  );
  await inBatches(all, JOIN_BATCH, async (client) => {
    await join(client, worldId);
    watchDeltas(client, sample);
  });
  const setupSeconds = (performance.now() - started) / 1000;
  await settle(all[0], worldId);
  const timers = all.map((client) =>
    setTimeout(() => {
      sendCommand(client, worldId, sample, timeoutMs);
      client.timer = setInterval(() => sendCommand(client, worldId, sample, timeoutMs), intervalMs);
    }, Math.random() * intervalMs),
  );
  await new Promise((r) => setTimeout(r, warmupMs));
  const counts = () =>
    all.reduce(
      (sum, c) => ({ deltas: sum.deltas + c.deltas, coalesced: sum.coalesced + c.coalesced }),
      { deltas: 0, coalesced: 0 },
    );
  const before = counts();
  const cpuBefore = process.cpuUsage();
  await onRecording(true);
  sample.recording = true;
  await new Promise((r) => setTimeout(r, durationMs));
  sample.recording = false;
  const cpu = process.cpuUsage(cpuBefore);
  const serverCpu = await onRecording(false);
  const after = counts();
  timers.forEach(clearTimeout);
  all.forEach((c) => clearInterval(c.timer));
  await new Promise((r) => setTimeout(r, Math.min(timeoutMs, 3_000)));
  const lost = all.filter((c) => c.pending).length;
  all.forEach((c) => c.socket.close());
  return {
    setupSeconds,
    clientCpu: (cpu.user + cpu.system) / 1000 / durationMs,
    serverCpu,
    latencies: sample.latencies,
    acks: sample.acks,
    sent: sample.sent,
    skipped: sample.skipped,
    timeouts: sample.timeouts + lost,
    refused: sample.refused,
    deltasPerClientPerSecond: (after.deltas - before.deltas) / clients / (durationMs / 1000),
    coalescedShare:
      after.deltas > before.deltas
        ? (after.coalesced - before.coalesced) / (after.deltas - before.deltas)
        : 0,
  };
}

module.exports = { runLoad };
