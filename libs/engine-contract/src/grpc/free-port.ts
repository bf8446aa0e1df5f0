import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The lowest port handed out. Ports come from below the kernel's ephemeral range: a port the OS
 * picks for `listen(0)` comes from that range, which outgoing connections (Kafka, PostgreSQL,
 * gRPC clients) also draw from, so one of them could take it between this check and the
 * caller's own bind (a failover suite run failed with EADDRINUSE that way).
 */
const LOWEST = 10_000;

/** The first port of the ephemeral range (Linux's default when it cannot be read). */
function ephemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return Number.isInteger(start) ? start : 32_768;
  } catch {
    return 32_768;
  }
}

/** Ports this process handed out already (their callers may not have bound them yet). */
const handedOut = new Set<number>();

function listen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port free on `host` now, for servers started with port 0 whose framework does not report
 * the port it bound (Nest's gRPC server): below the ephemeral range and not handed out before by
 * this process; one the OS picks when that range leaves no room.
 */
export async function freePort(host: string): Promise<number> {
  const below = ephemeralStart();
  for (let attempt = 0; attempt < 100 && below - LOWEST > 1_000; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the check, so that concurrent calls never pick the same one
    if ((await listen(port, host)) !== undefined) return port;
    handedOut.delete(port);
  }
  const port = await listen(0, host);
  if (port === undefined) throw new Error(`no free TCP port on ${host}`);
  return port;
}
