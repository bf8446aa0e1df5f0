// The load of the gateway and commands benchmarks: `move` commands at a fixed total rate, round
// robin over the clients of clients.cjs (a client may have several in flight), each timed from its
// `cmd` to the first delta that shows it: the first delta with tick >= the ack's tick that carries
// the sender's body. A command counts in the window it was sent in, whenever it completes.
const { openClients } = require('./clients.cjs');

/** How often the pacer sends what is due, and how far behind it may catch up (ms). */
const PACE_MS = 2;
const MAX_CATCH_UP_MS = 100;
/** Deltas with the client's body kept for acks that arrive after them. */
const RECENT = 16;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The move of a client's seq-th command, m/s: +-1..8 mm/s, so that no two of 16 consecutive
 * commands set the same velocity and each one shows in the tick it applies at (a body keeping
 * its velocity would not be in the delta); so slow a body sleeps between commands.
 */
const moveOf = (seq) => ((seq % 2 ? 1 : -1) * (1 + ((seq >> 1) % 8))) / 1000;

function newSample() {
  return {
    recording: false,
    latencies: [],
    acks: [],
    sent: 0,
    accepted: 0,
    timeouts: 0,
    refused: {},
  };
}

function complete(client, seq, command, at) {
  client.pending.delete(seq);
  if (command.measured) command.sample.latencies.push(at - command.sentAt);
}

/** A delta with the client's body at `tick`: completes every command acked for a tick <= it. */
function onBody(client, tick, at) {
  for (const [seq, command] of client.pending)
    if (command.tick !== undefined && command.tick <= tick) complete(client, seq, command, at);
  client.recent.push({ tick, at });
  if (client.recent.length > RECENT) client.recent.shift();
}

/** Counts a measured command's ack (or its timeout, `error`) in its sample. */
function record(sample, error, ack, ms) {
  if (error) return void sample.timeouts++;
  sample.acks.push(ms);
  if (ack.ok) return void sample.accepted++;
  const code = ack.engineCode ? `${ack.code}/${ack.engineCode}` : ack.code;
  sample.refused[code] = (sample.refused[code] ?? 0) + 1;
}

function send(client, worldId, sample, timeoutMs) {
  const seq = ++client.seq;
  const command = {
    sentAt: performance.now(),
    tick: undefined,
    sample,
    measured: sample.recording,
  };
  client.pending.set(seq, command);
  if (command.measured) sample.sent++;
  const payload = { seq, worldId, type: 'move', dx: moveOf(seq) };
  client.socket.timeout(timeoutMs).emit('cmd', payload, (error, ack) => {
    const at = performance.now();
    if (command.measured) record(sample, error, ack, at - command.sentAt);
    if (error || !ack.ok) return void client.pending.delete(seq);
    command.tick = ack.tick;
    const early = client.recent.find((d) => d.tick >= ack.tick && d.at >= command.sentAt);
    if (early) complete(client, seq, command, early.at);
  });
}

/** Calls sendOne(i) for i = 0, 1, ... at `rate` per second; skips what is MAX_CATCH_UP_MS late. */
function pace(rate, sendOne) {
  const start = performance.now();
  const slack = Math.ceil((rate * MAX_CATCH_UP_MS) / 1000);
  let done = 0;
  const timer = setInterval(() => {
    const due = Math.floor((rate * (performance.now() - start)) / 1000);
    done = Math.max(done, due - slack);
    for (; done < due; done++) sendOne(done);
  }, PACE_MS);
  return () => clearInterval(timer);
}

/** Waits until no client has a command in flight, or `timeoutMs`; returns those left (lost). */
async function drain(all, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  const inFlight = () => all.reduce((sum, c) => sum + c.pending.size, 0);
  while (inFlight() > 0 && performance.now() < deadline) await sleep(50);
  let lost = 0;
  for (const client of all) {
    for (const command of client.pending.values()) if (command.measured) lost++;
    client.pending.clear();
  }
  return lost;
}

const deltaCounts = (all) =>
  all.reduce(
    (sum, c) => ({ deltas: sum.deltas + c.deltas, coalesced: sum.coalesced + c.coalesced }),
    {
      deltas: 0,
      coalesced: 0,
    },
  );

/**
 * Connects and joins the clients; resolves with { setupSeconds, run, close }. `run` offers
 * `rate` commands/s for `warmupMs` unmeasured, then `durationMs` measured (onRecording(true)
 * before, onRecording(false) after: the server's CPU), and waits for the window's commands.
 */
async function openLoad({ url, clients, worldId, secret, timeoutMs = 5_000 }) {
  const { all, setupSeconds, close } = await openClients({
    url,
    clients,
    worldId,
    secret,
    fields: () => ({ pending: new Map(), recent: [] }),
    onBody,
  });
  async function run({ rate, warmupMs, durationMs, onRecording = async () => undefined }) {
    const sample = newSample();
    const stop = pace(rate, (i) => send(all[i % all.length], worldId, sample, timeoutMs));
    await sleep(warmupMs);
    const before = deltaCounts(all);
    await onRecording(true);
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    sample.recording = true;
    await sleep(durationMs);
    sample.recording = false;
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpu = await onRecording(false);
    const after = deltaCounts(all);
    stop();
    const noDelta = await drain(all, timeoutMs + 1_000);
    const deltas = after.deltas - before.deltas;
    return {
      seconds,
      sent: sample.sent,
      accepted: sample.accepted,
      refused: sample.refused,
      timeouts: sample.timeouts,
      noDelta,
      latencies: sample.latencies,
      acks: sample.acks,
      clientCpu: (cpu.user + cpu.system) / 1000 / (seconds * 1000),
      serverCpu,
      deltasPerClientPerSecond: deltas / all.length / seconds,
      coalescedShare: deltas > 0 ? (after.coalesced - before.coalesced) / deltas : 0,
    };
  }
  return { setupSeconds, run, close };
}

module.exports = { openLoad };
