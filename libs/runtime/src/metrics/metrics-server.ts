import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Prometheus registry as far as serving it goes (prom-client's `Registry` fits). */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/**
 * `GET /metrics` (Prometheus text) on plain node:http, for apps that serve no HTTP of their own
 * (the engines speak gRPC). Anything else is 404, other methods 405; nothing a caller sends
 * reaches more than the path check.
 */
export class MetricsServer {
  private server?: Server;

  constructor(private readonly registry: MetricsRegistry) {}

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.headersTimeout = 5_000;
    server.requestTimeout = 10_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'method not allowed\n');
    if ((req.url ?? '/').split('?')[0] !== '/metrics') return send(res, 404, 'not found\n');
    try {
      return send(res, 200, await this.registry.metrics(), this.registry.contentType);
    } catch (error) {
      return send(res, 500, `metrics failed: ${String(error)}\n`);
    }
  }
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}
