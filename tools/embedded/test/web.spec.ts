// The web view's HTTP boundary with a real server (src/web-server.ts on a free loopback port) and
// real requests: malformed escapes are a 400 with a code, dev tokens only go to a loopback Host
// (DNS rebinding), and a fault in one request answers 500 INTERNAL while the server carries on.
// The page gets the engine contract's constants from /contract.js instead of spelling them.
// A replica's Stop/Start is a POST from this machine's page only, answered with the host's codes.
import * as http from 'node:http';
import { MAX_PLAYER_ID_LENGTH, PLAYER_BODY_PREFIX } from '@anvil/engine-contract';
import { ApiError, isLoopbackHost } from '../src/http';
import { signToken } from '../src/tokens';
import { startWeb } from '../src/web-server';
import { CONTRACT_SCRIPT } from '../src/web-static';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** GET with an explicit Host header (fetch would not let a test choose it). */
function get(port: number, target: string, host = `127.0.0.1:${port}`): Promise<Answer> {
  return request(port, target, host).then(({ status, text }) => ({
    status,
    body: JSON.parse(text || '{}') as Record<string, unknown>,
  }));
}

/** POST with an explicit Host header and, if given, an Origin. */
function post(
  port: number,
  target: string,
  headers: { host?: string; origin?: string } = {},
): Promise<Answer> {
  const all = { host: `127.0.0.1:${port}`, ...headers };
  return request(port, target, all.host, 'POST', all).then(({ status, text }) => ({
    status,
    body: JSON.parse(text || '{}') as Record<string, unknown>,
  }));
}

/** A request with an explicit Host header; the status, the body's text and its Allow header. */
function request(
  port: number,
  target: string,
  host = `127.0.0.1:${port}`,
  method = 'GET',
  headers: Record<string, string> = { host },
): Promise<{ status: number; text: string; allow?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: target, method, headers, timeout: 10_000 },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => void (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text, allow: res.headers.allow }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${target} within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

describe('web view HTTP boundary', () => {
  let web: { port: number; close(): Promise<void> };
  const logged: string[] = [];
  const secret = 'a-dev-secret-of-some-length';
  const actions: string[] = [];

  beforeAll(async () => {
    const api = {
      hasWorld: (id: string) => id === 'arena' || id === 'faulty',
      snapshot: async (id: string) => {
        if (id === 'faulty') throw new Error('the engine is not there');
        return { worldId: id, tick: 1, bodies: [] };
      },
      figures: async (id: string) => {
        if (id === 'faulty') throw new Error('no analytics module runs for world faulty');
        return { status: 404, body: { error: { code: 'WORLD_NOT_FOUND', message: 'none yet' } } };
      },
      token: (player: string) => ({
        playerId: player || 'guest',
        token: signToken(secret, { sub: player || 'guest' }),
        gatewayPort: 1,
      }),
      commands: (player: string) => ({
        commands: player === 'ana' ? [{ type: 'move', totalMs: 3, hops: [] }] : [],
      }),
      config: () => {
        throw new Error('a bug in a handler');
      },
      worlds: async () => ({ worlds: [] }),
      replicas: () => ({ replicas: [{ id: 'physics-rapier-0' }, { id: 'physics-rapier-1' }] }),
      replicaAction: async (id: string, action: 'stop' | 'start') => {
        actions.push(`${action} ${id}`);
        if (id === 'physics-rapier-0' && action === 'stop')
          throw new ApiError(
            409,
            'LAST_REPLICA',
            'replica physics-rapier-0 is the only running replica',
          );
        if (!id.startsWith('physics-rapier-'))
          throw new ApiError(404, 'REPLICA_NOT_FOUND', `no physics replica "${id}"`);
        return { replica: { id, state: action === 'stop' ? 'stopped' : 'running' }, left: [] };
      },
    };
    web = await startWeb({
      host: '127.0.0.1',
      port: 0,
      api,
      feed: { add: () => undefined },
      log: (line: string) => logged.push(line),
    });
  });
  afterAll(async () => {
    await web?.close();
  });

  it("passes the analytics module's answer through, and says when none runs for the world", async () => {
    const ask = (id: string) => fetch(`http://127.0.0.1:${web.port}/api/worlds/${id}/figures`);
    const none = await ask('arena');
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: 'WORLD_NOT_FOUND' } });
    const down = await ask('faulty');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: 'ANALYTICS_UNAVAILABLE' });
  });

  it('answers a malformed % escape with 400 and a code, not 500', async () => {
    await expect(get(web.port, '/api/worlds/%E0%A4%A/snapshot')).resolves.toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'BAD_URL' }),
    });
    await expect(get(web.port, '/api/worlds/%/stream')).resolves.toMatchObject({
      status: 400,
      body: { error: 'BAD_URL' },
    });
    await expect(get(web.port, '/api/worlds/arena/snapshot')).resolves.toMatchObject({
      status: 200,
      body: { worldId: 'arena' },
    });
  });

  it('refuses an over-long URL with 414 and a code', async () => {
    await expect(get(web.port, `/api/worlds/${'a'.repeat(5_000)}/snapshot`)).resolves.toMatchObject(
      { status: 414, body: { error: 'URL_TOO_LONG' } },
    );
  });

  it.each([
    'evil.example',
    'evil.example:8080',
    'localhost.evil.example',
    '127.0.0.1.evil.example',
    '10.0.0.5:3000',
    '[::2]',
    '127.0.0.256',
  ])('refuses /api/token to Host %j with 403 HOST_NOT_ALLOWED', async (host) => {
    await expect(get(web.port, '/api/token?player=alice', host)).resolves.toEqual({
      status: 403,
      body: expect.objectContaining({ error: 'HOST_NOT_ALLOWED' }),
    });
  });

  it.each(['localhost', 'LOCALHOST:8080', '127.0.0.1', '127.1.2.3:80', '[::1]', '[::1]:8080'])(
    'hands a token to the loopback Host %j',
    async (host) => {
      const answer = await get(web.port, '/api/token?player=alice', host);
      expect(answer).toMatchObject({
        status: 200,
        body: { playerId: 'alice', token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) },
      });
    },
  );

  it('answers a fault in a handler with 500 INTERNAL, logs the caller, and keeps serving', async () => {
    await expect(get(web.port, '/api/config')).resolves.toMatchObject({
      status: 500,
      body: { error: 'INTERNAL' },
    });
    expect(logged.some((line) => line.includes('127.0.0.1 GET /api/config'))).toBe(true);
    await expect(get(web.port, '/api/health')).resolves.toMatchObject({
      status: 200,
      body: { ok: true },
    });
  });

  it("stops and starts replicas by POST only, from this machine's page, with the host's error codes", async () => {
    const path = (id: string, action = 'stop') => `/api/replicas/${id}/${action}`;
    await expect(post(web.port, path('physics-rapier-1'))).resolves.toEqual({
      status: 200,
      body: { replica: { id: 'physics-rapier-1', state: 'stopped' }, left: [] },
    });
    // The page's own fetch carries its Origin: the same host.
    await expect(
      post(web.port, path('physics-rapier-1', 'start'), {
        origin: `http://127.0.0.1:${web.port}`,
      }),
    ).resolves.toMatchObject({ status: 200, body: { replica: { state: 'running' } } });
    // The host's refusals keep their status and code.
    await expect(post(web.port, path('physics-rapier-0'))).resolves.toMatchObject({
      status: 409,
      body: { error: 'LAST_REPLICA', message: expect.stringMatching(/only running replica/) },
    });
    await expect(post(web.port, path('physics-9'))).resolves.toMatchObject({
      status: 404,
      body: { error: 'REPLICA_NOT_FOUND' },
    });
    await expect(post(web.port, path('%E0%A4%A'))).resolves.toMatchObject({
      status: 400,
      body: { error: 'BAD_URL' },
    });
    // Another site's page (a cross-site form), or a request for a foreign Host, is refused.
    await expect(
      post(web.port, path('physics-rapier-1'), { origin: 'https://evil.example' }),
    ).resolves.toMatchObject({ status: 403, body: { error: 'ORIGIN_NOT_ALLOWED' } });
    await expect(
      post(web.port, path('physics-rapier-1'), { host: 'evil.example:8080' }),
    ).resolves.toMatchObject({ status: 403, body: { error: 'HOST_NOT_ALLOWED' } });
    // GET does not stop anything; POST goes nowhere else.
    await expect(request(web.port, path('physics-rapier-1'))).resolves.toMatchObject({
      status: 405,
      allow: 'POST',
    });
    await expect(post(web.port, '/api/worlds')).resolves.toMatchObject({
      status: 405,
      body: { error: 'METHOD_NOT_ALLOWED' },
    });
    await expect(get(web.port, '/api/replicas')).resolves.toMatchObject({
      status: 200,
      body: { replicas: [{ id: 'physics-rapier-0' }, { id: 'physics-rapier-1' }] },
    });
    expect(actions).toEqual([
      'stop physics-rapier-1',
      'start physics-rapier-1',
      'stop physics-rapier-0',
      'stop physics-9',
    ]);
  });

  it("serves a player's last commands and the time of their hops", async () => {
    const answer = await fetch(`http://127.0.0.1:${web.port}/api/commands?player=ana`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ commands: [{ type: 'move', totalMs: 3, hops: [] }] });
    const nobody = await fetch(`http://127.0.0.1:${web.port}/api/commands`);
    expect(await nobody.json()).toEqual({ commands: [] });
  });

  it("serves the engine contract's player-body constants to the page", async () => {
    const { status, text } = await request(web.port, '/contract.js');
    expect(status).toBe(200);
    expect(text).toBe(CONTRACT_SCRIPT);
    const window: { anvilContract?: unknown } = {};
    new Function('window', text)(window);
    expect(window.anvilContract).toEqual({ PLAYER_BODY_PREFIX, MAX_PLAYER_ID_LENGTH });
  });

  it('knows loopback names and addresses (pure)', () => {
    const foreign = [undefined, '', 42, 'a'.repeat(400), 'localhost:99999x', '::1', '127.0.0'];
    expect(foreign.map(isLoopbackHost)).toEqual(foreign.map(() => false));
    expect(['localhost:3000', '127.255.255.255', '[::1]:1'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
    ]);
  });
});
