// Handshake authentication against a running gateway with real socket.io clients. No engine is
// needed to connect, so none runs here (the engine address points at a closed port).
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { RunningGateway } from '../src/bootstrap';
import { connect, refusal, request, token } from '../src/testing/clients';
import { memoryStorage, startGateway } from '../src/testing/gateway';

jest.setTimeout(120_000);

describe('handshake auth (HS256)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway(
      { INTERACTION_ENGINE_ADDRESS: '127.0.0.1:1' },
      { storage: await memoryStorage() },
    );
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
  });

  it('accepts a valid token in auth.token or an Authorization header', async () => {
    const a = await connect(gateway.url, { token: token('alice') });
    expect(a.connected).toBe(true);
    a.close();
    const b = await connect(gateway.url, undefined, {
      extraHeaders: { Authorization: `Bearer ${token('bob')}` },
    });
    expect(b.connected).toBe(true);
    b.close();
  });

  it.each([
    ['no token', undefined, 'AUTH_REQUIRED'],
    ['an empty token', { token: '' }, 'AUTH_REQUIRED'],
    ['an expired token', { token: token('alice', {}, { expiresIn: -60 }) }, 'AUTH_EXPIRED'],
    [
      'a forged signature',
      { token: token('alice', {}, {}, 'another-secret-of-16-chars') },
      'AUTH_INVALID',
    ],
    ['garbage', { token: 'not.a.jwt' }, 'AUTH_INVALID'],
    [
      'alg none',
      { token: jwt.sign({ sub: 'alice' }, '', { algorithm: 'none', expiresIn: 60 }) },
      'AUTH_INVALID',
    ],
    [
      'a token without sub',
      { token: jwt.sign({ worlds: [] }, 'test-secret-at-least-16-chars', { expiresIn: 60 }) },
      'AUTH_INVALID',
    ],
    ['a bad player id', { token: token('a b') }, 'AUTH_INVALID'],
    ['a malformed worlds claim', { token: token('alice', { worlds: 'arena' }) }, 'AUTH_INVALID'],
  ])('refuses %s with a coded connect_error', async (_name, auth, code) => {
    const data = await refusal(gateway.url, auth);
    expect(data.code).toBe(code);
    expect(typeof data.message).toBe('string');
  });

  it('opens /admin only to the admin role', async () => {
    expect(await refusal(gateway.url, { token: token('alice') }, '/admin')).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refusal(gateway.url, undefined, '/admin')).toMatchObject({
      code: 'AUTH_REQUIRED',
    });
    const admin = await connect(`${gateway.url}/admin`, {
      token: token('root', { roles: ['admin'] }),
    });
    await expect(request(admin, 'admin:worlds')).resolves.toEqual({ ok: true, worlds: [] });
    admin.close();
  });

  it('closes a connection with AUTH_EXPIRED when its token expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const socket = await connect(gateway.url, {
      token: jwt.sign({ sub: 'shortlived', exp }, 'test-secret-at-least-16-chars'),
    });
    const exception = new Promise((resolve) => socket.once('exception', resolve));
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    await expect(exception).resolves.toMatchObject({ code: 'AUTH_EXPIRED' });
    await expect(disconnected).resolves.toBe('io server disconnect');
  });

  it('serves health and metrics over HTTP', async () => {
    await expect(fetch(`${gateway.url}/healthz`).then((r) => r.json())).resolves.toEqual({
      status: 'ok',
    });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    await expect(ready.json()).resolves.toMatchObject({
      checks: { storage: true, bus: true, interactionEngine: false },
    });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/anvil_gateway_handshakes_refused_total\{code="AUTH_EXPIRED"\} [1-9]/);
    expect(metrics).toMatch(/anvil_gateway_connections/);
  });
});

describe('handshake auth (RS256)', () => {
  it('verifies with the public key and refuses an HS256 token signed with it', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const gateway = await startGateway({
      JWT_SECRET: '',
      JWT_PUBLIC_KEY: pem,
      JWT_AUDIENCE: 'anvil',
      INTERACTION_ENGINE_ADDRESS: '127.0.0.1:1',
    });
    try {
      const good = jwt.sign({ sub: 'alice' }, privateKey, {
        algorithm: 'RS256',
        audience: 'anvil',
        expiresIn: 60,
      });
      (await connect(gateway.url, { token: good })).close();
      const wrongAudience = jwt.sign({ sub: 'alice' }, privateKey, {
        algorithm: 'RS256',
        audience: 'other',
        expiresIn: 60,
      });
      expect(await refusal(gateway.url, { token: wrongAudience })).toMatchObject({
        code: 'AUTH_INVALID',
      });
      const confused = jwt.sign({ sub: 'alice', aud: 'anvil' }, pem, {
        algorithm: 'HS256',
        expiresIn: 60,
      });
      expect(await refusal(gateway.url, { token: confused })).toMatchObject({
        code: 'AUTH_INVALID',
      });
    } finally {
      await gateway.close();
    }
  });
});
