import { readFileSync } from 'node:fs';
import * as net from 'node:net';

/**
 * Ports handed to the apps a test starts come from below the kernel's ephemeral range: a port
 * the OS picks for `listen(0)` comes from that range, which outgoing connections (Kafka,
 * PostgreSQL, gRPC clients) also draw from, so one of them could take it between the check and
 * the app's own bind (a failover suite run failed with EADDRINUSE that way).
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

/** Ports this process handed out already (its apps may not have bound them yet). */
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1 now, outside the ephemeral range, not handed out before. */
export async function freePort(): Promise<number> {
  const below = ephemeralStart();
  for (let attempt = 0; attempt < 100 && below - LOWEST > 1_000; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${below}`);
}
