// The host's small web server (node:http): the live view page, the socket.io browser client,
// a JSON API about the worlds, dev tokens for the page's Join button, and a spectator stream
// (Server-Sent Events: a snapshot, then every delta from the bus) so the page shows the world
// before anyone joins.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { resolveFrom, requireFrom } = require('./workspace.cjs');

const { worldTopic } = requireFrom('.', '@anvil/bus');

const WEB = path.join(__dirname, '..', 'web');
const STATIC = {
  '/': { file: path.join(WEB, 'index.html'), type: 'text/html; charset=utf-8' },
  '/index.html': { file: path.join(WEB, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: path.join(WEB, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: path.join(WEB, 'style.css'), type: 'text/css; charset=utf-8' },
  '/socket.io.min.js': {
    file: path.join(
      path.dirname(resolveFrom('apps/gateway', 'socket.io-client')),
      '..',
      '..',
      'dist',
      'socket.io.min.js',
    ),
    type: 'text/javascript; charset=utf-8',
  },
};

const INTERACTION_TYPE = /^dev\.anvil\.interaction\.([a-z-]+)\.v\d+$/;
/** Deltas a spectator may have waiting while its snapshot is fetched; past it, it is resynchronised. */
const MAX_BUFFERED = 300;

/**
 * Spectators of each world. Subscribes to both world topics in its own consumer group, so it
 * sees every delta and game event, as an analytics consumer would.
 */
class ViewFeed {
  constructor({ bus, snapshot, onEvent }) {
    this.bus = bus;
    this.snapshot = snapshot; // async (worldId) => { worldId, tick, bodies }
    this.onEvent = onEvent; // (worldId, event) => void: presence bookkeeping
    this.clients = new Map(); // worldId -> Set<client>
    this.subscriptions = [];
  }

  async start() {
    const group = 'anvil-embedded-view';
    this.subscriptions.push(
      await this.bus.subscribe({ topic: worldTopic('physics'), group }, async (m) =>
        this.onPhysics(m),
      ),
    );
    this.subscriptions.push(
      await this.bus.subscribe({ topic: worldTopic('interaction'), group }, async (m) =>
        this.onInteraction(m),
      ),
    );
  }

  onPhysics({ key, event }) {
    const set = this.clients.get(key);
    if (!set || set.size === 0) return;
    const d = event.data;
    const delta = { worldId: key, tick: d.tick, bodies: d.bodies };
    if (d.removed && d.removed.length) delta.removed = d.removed;
    if (delta.bodies.length === 0 && !delta.removed) return;
    for (const client of set) this.deliver(client, 'delta', delta, d.tick);
  }

  onInteraction({ key, event }) {
    const match = INTERACTION_TYPE.exec(event.type);
    if (!match) return;
    const d = event.data;
    const payload = { worldId: key, tick: event.tick, type: match[1], playerId: d.playerId };
    if (d.bodyId) payload.bodyId = d.bodyId;
    if (d.targetId) payload.targetId = d.targetId;
    if (d.reason) payload.reason = d.reason;
    if (d.code) payload.code = d.code;
    this.onEvent(key, payload);
    for (const client of this.clients.get(key) || [])
      this.deliver(client, 'world:event', payload, event.tick);
  }

  deliver(client, name, payload, tick) {
    if (client.closed) return;
    if (!client.ready) {
      if (client.buffer.length >= MAX_BUFFERED) client.buffer.length = 0; // the snapshot on its way supersedes them
      client.buffer.push({ name, payload, tick });
      return;
    }
    if (client.slow) return; // resynchronised by snapshot when the browser drains
    if (!write(client.res, name, payload)) {
      client.slow = true;
      client.res.once('drain', () => this.resync(client));
    }
  }

  /** Adds a spectator: snapshot first, then the deltas newer than it. */
  add(worldId, res) {
    const client = { res, worldId, ready: false, slow: false, closed: false, buffer: [] };
    if (!this.clients.has(worldId)) this.clients.set(worldId, new Set());
    this.clients.get(worldId).add(client);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    res.on('close', () => {
      client.closed = true;
      clearInterval(ping);
      this.clients.get(worldId)?.delete(client);
    });
    this.resync(client);
  }

  /** Sends a fresh snapshot to a client, then what it buffered meanwhile. */
  async resync(client) {
    const generation = (client.generation = (client.generation || 0) + 1);
    const current = () => !client.closed && client.generation === generation;
    client.ready = false;
    client.slow = false;
    let snap;
    for (let attempt = 0; current(); attempt++) {
      try {
        snap = await this.snapshot(client.worldId);
        break;
      } catch (error) {
        if (attempt === 0)
          write(client.res, 'status', {
            worldId: client.worldId,
            message: `waiting for the world: ${error.message}`,
          });
        await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * (attempt + 1))));
      }
    }
    if (!current()) return;
    write(client.res, 'snapshot', snap);
    const pending = client.buffer.splice(0);
    client.ready = true;
    for (const item of pending)
      if (item.name !== 'delta' || item.tick > snap.tick)
        this.deliver(client, item.name, item.payload, item.tick);
  }

  /** Every spectator of every world gets a new snapshot (engines restarted). */
  resyncAll() {
    for (const set of this.clients.values()) for (const client of set) this.resync(client);
  }

  async close() {
    for (const set of this.clients.values())
      for (const client of set) {
        client.closed = true;
        client.res.end();
      }
    this.clients.clear();
    await Promise.allSettled(this.subscriptions.splice(0).map((s) => s.close()));
  }
}

function write(res, name, payload) {
  return res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
}

/** Longest request target the web view reads (its URLs are short; anything longer is refused). */
const MAX_URL_LENGTH = 2_048;

/**
 * True when a Host header names this machine's loopback: `localhost`, `127.0.0.0/8` or `[::1]`,
 * with or without a port. A page of another site that rebinds its DNS name to 127.0.0.1 still
 * sends its own name as Host, so it is refused what only this machine's browser may read.
 */
function isLoopbackHost(host) {
  if (typeof host !== 'string' || host.length > 300) return false;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!match) return false;
  const name = match[1];
  if (name === 'localhost' || name === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return Boolean(octets) && octets.slice(1).every((o) => Number(o) <= 255);
}

/** A decoded path segment, or undefined when its `%` escapes are malformed. */
function decodeSegment(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Who asked, for the log line of a fault. */
const callerOf = (req) =>
  `${req.socket?.remoteAddress ?? '?'} ${req.method} ${String(req.url).slice(0, 200)}`;

function sendJson(res, status, body) {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Starts the web server. `api`: { worlds(), config(req), token(player, worldId), snapshot(worldId), hasWorld(worldId) }.
 * Resolves with { server, port, url, close() } once listening.
 */
function startWeb({ host, port, api, feed, log }) {
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: 'only GET' });
      if ((req.url || '').length > MAX_URL_LENGTH)
        return sendJson(res, 414, {
          error: 'URL_TOO_LONG',
          message: `the URL is longer than ${MAX_URL_LENGTH} characters`,
        });
      let url;
      try {
        url = new URL(req.url || '/', 'http://localhost');
      } catch {
        return sendJson(res, 400, { error: 'BAD_URL', message: 'the URL cannot be parsed' });
      }
      const file = STATIC[url.pathname];
      if (file) {
        const body = await fs.promises.readFile(file.file);
        res.writeHead(200, {
          'content-type': file.type,
          'cache-control': 'no-cache',
          'content-length': body.length,
        });
        return res.end(req.method === 'HEAD' ? undefined : body);
      }
      if (url.pathname === '/api/worlds') return sendJson(res, 200, api.worlds());
      if (url.pathname === '/api/config') return sendJson(res, 200, api.config());
      if (url.pathname === '/api/health') return sendJson(res, 200, { ok: true });
      if (url.pathname === '/api/token') {
        // Tokens are signed with the dev secret: only for pages this machine's browser loaded.
        if (!isLoopbackHost(req.headers.host))
          return sendJson(res, 403, {
            error: 'HOST_NOT_ALLOWED',
            message: 'tokens are handed out only to localhost, 127.0.0.0/8 or [::1] (Host header)',
          });
        const worldId = url.searchParams.get('world') || undefined;
        return sendJson(res, 200, api.token(url.searchParams.get('player') || '', worldId));
      }
      const m = /^\/api\/worlds\/([^/]+)\/(snapshot|stream)$/.exec(url.pathname);
      if (m) {
        const worldId = decodeSegment(m[1]);
        if (worldId === undefined)
          return sendJson(res, 400, {
            error: 'BAD_URL',
            message: 'the world id in the URL has a malformed % escape',
          });
        if (!api.hasWorld(worldId))
          return sendJson(res, 404, { error: 'WORLD_NOT_FOUND', message: `no world "${worldId}"` });
        if (m[2] === 'snapshot') {
          try {
            return sendJson(res, 200, await api.snapshot(worldId));
          } catch (error) {
            return sendJson(res, 503, { error: 'WORLD_NOT_RUNNING', message: error.message });
          }
        }
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write('retry: 2000\n\n');
        return feed.add(worldId, res);
      }
      return sendJson(res, 404, { error: 'NOT_FOUND', message: `nothing at ${url.pathname}` });
    } catch (error) {
      // The last-resort guard: one request's fault answers that request, never the process.
      log(`web: ${callerOf(req)} failed: ${error && error.stack ? error.stack : error}`);
      try {
        if (!res.headersSent)
          sendJson(res, 500, { error: 'INTERNAL', message: 'see the host terminal' });
        else res.end();
      } catch {
        res.destroy();
      }
    }
  });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `the web view cannot listen on port ${port}: it is in use. Pick another with --port N (0: any free port).`,
            )
          : error,
      );
    });
    server.listen(port, host, () => {
      const actual = server.address().port;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve({
        server,
        port: actual,
        url: `http://${shown}:${actual}/`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

module.exports = { startWeb, ViewFeed, isLoopbackHost };
