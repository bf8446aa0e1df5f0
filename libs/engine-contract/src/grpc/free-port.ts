import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on host, for engines started with port 0 (Nest's gRPC server does not report the port it bound). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
