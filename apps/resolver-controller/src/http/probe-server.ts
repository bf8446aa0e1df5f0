import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the probe server reports. */
export interface ProbeSources {
  /** Ready when every informer has synced. */
  ready(): boolean;
  /** Prometheus exposition text and its content type. */
  metrics(): Promise<{ body: string; contentType: string }>;
}

/**
 * /healthz (the process serves), /readyz (informers synced) and /metrics on plain node:http:
 * the controller needs no web framework.
 */
export class ProbeServer {
  private server?: Server;

  constructor(private readonly sources: ProbeSources) {}

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** Stops listening. */
  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
      case '/livez':
        return send(res, 200, 'ok\n');
      case '/readyz':
        return this.sources.ready()
          ? send(res, 200, 'ok\n')
          : send(res, 503, 'informers not synced\n');
      case '/metrics': {
        try {
          const { body, contentType } = await this.sources.metrics();
          return send(res, 200, body, contentType);
        } catch (error) {
          return send(res, 500, `metrics failed: ${String(error)}\n`);
        }
      }
      default:
        return send(res, 404, 'not found\n');
    }
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
