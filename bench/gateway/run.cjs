// Gateway benchmark (`npm run bench gateway`): 500 and 2,000 socket.io clients in one world, each
// sending a `move` at a steady rate; latency from a client's `cmd` to the first delta that shows
// it. Anvil (the gateway in one process, the physics and interaction engines in another, their
// bus events relayed over IPC; BUILT packages, see ../support/anvil-server.cjs) against a
// baseline measured in the same run: a bare socket.io server with the same clients, protocol
// shape, tick rate and message sizes (../support/echo-server.cjs). The clients run in this process. Loopback only; bounded by
// BENCH_CLIENTS, BENCH_DURATION_MS and a hard time limit.
const { fork } = require('node:child_process');
const path = require('node:path');
const { median, percentile, report } = require('../stats.cjs');
const { runLoad } = require('../support/load.cjs');

const CLIENTS = (process.env.BENCH_CLIENTS ?? '500,2000').split(',').map(Number);
// 10 Hz keeps 2,000 clients within two shared cores (every client parses every delta); both
// servers tick at that rate, so both latencies include the wait for the next tick. The command
// rate is the same for both sizes (spread over the clients), so the sizes differ in fan-out only;
// 100 commands/s stays under what one world's interaction engine serialises on this machine.
const TICK_HZ = process.env.BENCH_TICK_HZ ?? '10';
const CMD_RATE = Number(process.env.BENCH_CMD_RATE ?? 100);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 5_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);
const HARD_LIMIT_MS = Number(process.env.BENCH_TIME_LIMIT_MS ?? 15 * 60_000);
const SECRET = 'bench-secret-of-16-or-more';
const ENGINE_TOKEN = 'bench-engine-token-16-or-more';
const WORLD = 'bench';

const children = new Set();
const hardLimit = setTimeout(() => {
  console.error(`bench/gateway: over the ${HARD_LIMIT_MS} ms limit, stopping`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}, HARD_LIMIT_MS);
hardLimit.unref();

/** Starts a server script as a child process; resolves with its URL and a stop function. */
function startServer(script, clients) {
  const env = {
    ...process.env,
    TICK_HZ,
    JWT_SECRET: SECRET,
    ENGINE_TOKEN,
    WORLD,
    MAX_PLAYERS: String(clients + 10),
  };
  const child = fork(path.join(__dirname, '..', 'support', script), [], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.once('message', ({ url }) =>
      resolve({
        url,
        /** Asks the server for its CPU use (cores) between 'cpu-start' and now. */
        cpu: (start) => {
          if (start) return void child.send('cpu-start');
          return new Promise((done) => {
            child.on('message', function onCpu(message) {
              if (message.cpu === undefined) return;
              child.off('message', onCpu);
              done(message);
            });
            child.send('cpu-stop');
          });
        },
        stop: async () => {
          child.send('stop');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
          children.delete(child);
        },
      }),
    );
    child.once('exit', (code) =>
      reject(new Error(`${script} exited with ${code} before it was ready`)),
    );
  });
}

async function measure(name, script, clients) {
  const server = await startServer(script, clients);
  try {
    const result = await runLoad({
      url: server.url,
      clients,
      worldId: WORLD,
      secret: SECRET,
      intervalMs: (clients * 1000) / CMD_RATE,
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
      onRecording: server.cpu,
    });
    const row = {
      server: name,
      clients,
      'cmd/s': CMD_RATE,
      measured: result.latencies.length,
      'p50 ms': median(result.latencies),
      'p99 ms': percentile(result.latencies, 99),
      'ack p50 ms': median(result.acks),
      'ack p99 ms': percentile(result.acks, 99),
      'deltas/client/s': result.deltasPerClientPerSecond,
      'coalesced %': result.coalescedShare * 100,
      timeouts: result.timeouts,
      'server cpu': result.serverCpu.cpu,
      'engines cpu': result.serverCpu.engineCpu ?? '',
      'client cpu': result.clientCpu,
      'setup s': result.setupSeconds,
    };
    if (Object.keys(result.refused).length) row.refused = JSON.stringify(result.refused);
    console.log(JSON.stringify(row));
    return row;
  } finally {
    await server.stop();
  }
}

async function main() {
  const rows = [];
  for (const clients of CLIENTS) {
    const baseline = await measure('bare socket.io', 'echo-server.cjs', clients);
    const anvil = await measure('anvil gateway', 'anvil-server.cjs', clients);
    rows.push(baseline, anvil, {
      server: 'ratio anvil/bare',
      clients,
      'p50 ms': anvil['p50 ms'] / baseline['p50 ms'],
      'p99 ms': anvil['p99 ms'] / baseline['p99 ms'],
      'ack p50 ms': anvil['ack p50 ms'] / baseline['ack p50 ms'],
      'ack p99 ms': anvil['ack p99 ms'] / baseline['ack p99 ms'],
    });
  }
  report('gateway', rows, {
    tickHz: Number(TICK_HZ),
    commandsPerSecond: CMD_RATE,
    warmupMs: WARMUP_MS,
    durationMs: DURATION_MS,
    note: 'latency = cmd sent -> first delta with tick >= ack.tick containing the sender body; both servers tick at tickHz, so both include the wait for the next tick; cpu = cores used during the measured window by the server process (gateway or bare server), the engines process and the client process (all clients)',
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  },
);
