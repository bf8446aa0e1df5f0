// The host's small web server (node:http): the live view page, the socket.io browser client,
// a JSON API about the worlds, dev tokens for the page's Join button, the spectator stream of
// the view feed, and the physics replicas' Stop/Start controls (the only POSTs). Errors are
// JSON `{ error, message }` (docs/embedded.md).
import * as http from 'node:http';
import type { Socket } from 'node:net';
import {
  ApiError,
  MAX_URL_LENGTH,
  callerOf,
  decodeSegment,
  isLoopbackHost,
  sendError,
  sendJson,
} from './http';
import { STATIC } from './web-static';

/** What the web server asks the host. */
export interface WebApi {
  worlds(): unknown;
  replicas(): unknown;
  /** Stops or starts a physics replica; throws ApiError (404, 409, 503) when it cannot. */
  replicaAction(id: string, action: 'stop' | 'start'): Promise<unknown>;
  config(): unknown;
  token(player: string, worldId: string | undefined): unknown;
  /** A player's last commands, each with the time of its hops. */
  commands(player: string): unknown;
  snapshot(worldId: string): Promise<unknown>;
  /** The analytics module's answer about a world (status and JSON body). */
  figures(worldId: string): Promise<{ status: number; body: unknown }>;
  hasWorld(worldId: string): boolean;
}

export interface WebFeed {
  add(worldId: string, res: http.ServerResponse): void;
}

export interface RunningWeb {
  port: number;
  url: string;
  close(): Promise<void>;
}

const WORLD_PATH = /^\/api\/worlds\/([^/]+)\/(snapshot|stream|figures)$/;
const REPLICA_PATH = /^\/api\/replicas\/([^/]+)\/(stop|start)$/;

/**
 * A replica's Stop/Start: POST, from this machine (a loopback Host, as /api/token) and, when a
 * browser says where the request comes from, from this page (same Origin): another site's page
 * cannot stop replicas with a cross-site form.
 */
async function replicaAction(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  api: WebApi,
  match: RegExpExecArray,
) {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', `POST to ${match[2]} a replica`);
  }
  req.resume(); // the body, if any, means nothing
  if (!isLoopbackHost(req.headers.host))
    return sendError(
      res,
      403,
      'HOST_NOT_ALLOWED',
      'replicas are stopped and started only from localhost, 127.0.0.0/8 or [::1] (Host header)',
    );
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`)
    return sendError(
      res,
      403,
      'ORIGIN_NOT_ALLOWED',
      `only the live view's own page may stop or start replicas (Origin ${origin.slice(0, 100)})`,
    );
  const id = decodeSegment(match[1]);
  if (id === undefined)
    return sendError(res, 400, 'BAD_URL', 'the replica id in the URL has a malformed % escape');
  try {
    return sendJson(res, 200, await api.replicaAction(id, match[2] as 'stop' | 'start'));
  } catch (error) {
    if (error instanceof ApiError) return sendError(res, error.status, error.code, error.message);
    throw error;
  }
}

async function route(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  api: WebApi,
  feed: WebFeed,
) {
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST')
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'only GET, and POST to a replica');
  if ((req.url || '').length > MAX_URL_LENGTH)
    return sendError(
      res,
      414,
      'URL_TOO_LONG',
      `the URL is longer than ${MAX_URL_LENGTH} characters`,
    );
  let url: URL;
  try {
    url = new URL(req.url || '/', 'http://localhost');
  } catch {
    return sendError(res, 400, 'BAD_URL', 'the URL cannot be parsed');
  }
  const replica = REPLICA_PATH.exec(url.pathname);
  if (replica) return replicaAction(req, res, api, replica);
  if (req.method === 'POST') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(
      res,
      405,
      'METHOD_NOT_ALLOWED',
      'only GET here (POST goes to /api/replicas/<id>/stop or /start)',
    );
  }
  const file = STATIC[url.pathname];
  if (file) {
    const body = await file.body();
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-cache',
      'content-length': body.length,
    });
    return res.end(req.method === 'HEAD' ? undefined : body);
  }
  if (url.pathname === '/api/worlds') return sendJson(res, 200, await api.worlds());
  if (url.pathname === '/api/replicas') return sendJson(res, 200, api.replicas());
  if (url.pathname === '/api/config') return sendJson(res, 200, api.config());
  if (url.pathname === '/api/commands')
    return sendJson(res, 200, api.commands(url.searchParams.get('player') || ''));
  if (url.pathname === '/api/health') return sendJson(res, 200, { ok: true });
  if (url.pathname === '/api/token') {
    // Tokens are signed with the dev secret: only for pages this machine's browser loaded.
    if (!isLoopbackHost(req.headers.host))
      return sendError(
        res,
        403,
        'HOST_NOT_ALLOWED',
        'tokens are handed out only to localhost, 127.0.0.0/8 or [::1] (Host header)',
      );
    const worldId = url.searchParams.get('world') || undefined;
    return sendJson(res, 200, api.token(url.searchParams.get('player') || '', worldId));
  }
  const m = WORLD_PATH.exec(url.pathname);
  if (!m) return sendError(res, 404, 'NOT_FOUND', `nothing at ${url.pathname}`);
  const worldId = decodeSegment(m[1]);
  if (worldId === undefined)
    return sendError(res, 400, 'BAD_URL', 'the world id in the URL has a malformed % escape');
  if (!api.hasWorld(worldId))
    return sendError(res, 404, 'WORLD_NOT_FOUND', `no world "${worldId}"`);
  if (m[2] === 'snapshot') {
    try {
      return sendJson(res, 200, await api.snapshot(worldId));
    } catch (error) {
      return sendError(
        res,
        503,
        'WORLD_NOT_RUNNING',
        error instanceof Error ? error.message : String(error),
      );
    }
  }
  if (m[2] === 'figures') {
    try {
      const { status, body } = await api.figures(worldId);
      return sendJson(res, status, body);
    } catch (error) {
      return sendError(
        res,
        503,
        'ANALYTICS_UNAVAILABLE',
        error instanceof Error ? error.message : String(error),
      );
    }
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  feed.add(worldId, res);
}

/** Starts the web server; resolves once it listens. */
export function startWeb(options: {
  host: string;
  port: number;
  api: WebApi;
  feed: WebFeed;
  log: (line: string) => void;
}): Promise<RunningWeb> {
  const { host, port, api, feed, log } = options;
  const server = http.createServer((req, res) => {
    route(req, res, api, feed).catch((error: unknown) => {
      // The last-resort guard: one request's fault answers that request, never the process.
      log(`web: ${callerOf(req)} failed: ${error instanceof Error ? error.stack : error}`);
      try {
        if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'see the host terminal');
        else res.end();
      } catch {
        res.destroy();
      }
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `the web view cannot listen on port ${port}: it is in use. Pick another with --port N (0: any free port).`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => {
      const actual = (server.address() as { port: number }).port;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const close = () =>
        new Promise<void>((done) => {
          server.close(() => done());
          for (const s of sockets) s.destroy();
        });
      resolve({ port: actual, url: `http://${shownHost}:${actual}/`, close });
    });
  });
}
