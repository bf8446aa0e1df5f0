// The embedded counterpart of a Kubernetes Service in front of a module's replicas: a TCP
// proxy on the module's endpoint port that hands each new connection to a running replica.
// Callers (the game modules, the registry's binding address) reach "the physics engine" there;
// which replica owns a world is the ownership code's business: a replica that does not own
// the world names its owner (`anvil-owner-address`), and a caller whose owner is gone asks here
// again, as it asks the Service in a cluster (docs/embedded.md, "Physics replicas").
import * as net from 'node:net';

export interface ServiceProxy {
  /** host:port of the proxy. */
  address: string;
  port: number;
  /** Ends every connection handed to `target` (its replica stopped): their callers reconnect. */
  drop(target: string): void;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (0: a free port); each connection goes to the address `pick()` names
 * when it arrives (undefined: none runs, the connection is closed at once).
 */
export function startServiceProxy(options: {
  host: string;
  port: number;
  pick: () => string | undefined;
}): Promise<ServiceProxy> {
  const { host, port, pick } = options;
  /** Target address -> the pairs of sockets handed to it. */
  const pairs = new Map<string, Set<[net.Socket, net.Socket]>>();
  const server = net.createServer((downstream) => {
    const target = pick();
    if (!target) return void downstream.destroy();
    const colon = target.lastIndexOf(':');
    const upstream = net.connect({
      host: target.slice(0, colon),
      port: Number(target.slice(colon + 1)),
    });
    // gRPC sends small frames: no Nagle delay on either leg.
    downstream.setNoDelay(true);
    upstream.setNoDelay(true);
    const pair: [net.Socket, net.Socket] = [downstream, upstream];
    const set = pairs.get(target) ?? new Set();
    pairs.set(target, set.add(pair));
    const end = () => {
      downstream.destroy();
      upstream.destroy();
      set.delete(pair);
    };
    downstream.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  const dropAll = (target: string) => {
    for (const [a, b] of pairs.get(target) ?? []) {
      a.destroy();
      b.destroy();
    }
    pairs.delete(target);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = (server.address() as net.AddressInfo).port;
      resolve({
        address: `${host}:${actual}`,
        port: actual,
        drop: dropAll,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const target of [...pairs.keys()]) dropAll(target);
          }),
      });
    });
  });
}
