// Gateway benchmark (`npm run bench gateway`): 500 and 2,000 socket.io clients in one world, each
// sending a `move` at a steady rate; latency from a client's `cmd` to the first delta that shows
// it. Anvil (the gateway in one process, the physics and interaction engines in another, their
// bus events relayed over IPC; BUILT packages, see ../support/anvil-server.cjs) against a
// baseline measured in the same run: a bare socket.io server with the same clients, protocol
// shape, tick rate and message sizes (../support/echo-server.cjs). The clients run in this
// process. Loopback only; bounded by BENCH_CLIENTS, BENCH_DURATION_MS and a hard time limit.
const { median, percentile, report } = require('../stats.cjs');
const { openLoad } = require('../support/load.cjs');
const {
  SECRET,
  WORLD,
  hardLimit,
  runMain,
  serverEnv,
  startServer,
} = require('../support/servers.cjs');

const CLIENTS = (process.env.BENCH_CLIENTS ?? '500,2000').split(',').map(Number);
// 10 Hz keeps 2,000 clients within two shared cores (every client parses every delta); both
// servers tick at that rate, so both latencies include the wait for the next tick. The command
// rate is the same for both sizes (spread over the clients), so the sizes differ in fan-out only;
// 100 commands/s stays under what one world's interaction engine serialises on this machine.
const TICK_HZ = process.env.BENCH_TICK_HZ ?? '10';
const CMD_RATE = Number(process.env.BENCH_CMD_RATE ?? 100);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 5_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);

hardLimit('bench/gateway', Number(process.env.BENCH_TIME_LIMIT_MS ?? 15 * 60_000));

async function measure(name, script, clients) {
  const server = await startServer(script, serverEnv(TICK_HZ, clients));
  try {
    const load = await openLoad({ url: server.url, clients, worldId: WORLD, secret: SECRET });
    const result = await load.run({
      rate: CMD_RATE,
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
      onRecording: server.cpu,
    });
    load.close();
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
      timeouts: result.timeouts + result.noDelta,
      'server cpu': result.serverCpu.cpu,
      'engines cpu': result.serverCpu.engineCpu ?? '',
      'client cpu': result.clientCpu,
      'setup s': load.setupSeconds,
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

runMain(main);
