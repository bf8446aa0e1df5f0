// Token rules at the handshake with real socket.io clients: every token must expire, within the
// longest lifetime the gateway accepts; clock tolerance never extends exp; an oversized token is
// answered with a code over both transports, in bounded time (connect() gives up after 30 s).
import jwt from 'jsonwebtoken';
import type { RunningGateway } from '../src/bootstrap';
import { connect, refusal, TEST_SECRET, token } from '../src/testing/clients';
import { memoryStorage, startGateway } from '../src/testing/gateway';

jest.setTimeout(120_000);

const now = () => Math.floor(Date.now() / 1000);
const TRANSPORTS = [['websocket'], ['polling']] as const;

describe('token rules', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    // The default clock tolerance (5 s) stays: it must not admit a token expired 3 s ago.
    gateway = await startGateway(
      { INTERACTION_ENGINE_ADDRESS: '127.0.0.1:1', JWT_MAX_LIFETIME_SECONDS: '3600' },
      { storage: await memoryStorage() },
    );
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
  });

  it.each(TRANSPORTS)('refuses a token without exp with AUTH_INVALID (%s)', async (transport) => {
    const forever = jwt.sign({ sub: 'alice' }, TEST_SECRET, { algorithm: 'HS256' });
    await expect(
      refusal(gateway.url, { token: forever }, '', { transports: [transport] }),
    ).resolves.toMatchObject({ code: 'AUTH_INVALID', message: expect.stringMatching(/exp/) });
  });

  it.each([
    ['lives over the longest lifetime', token('alice', {}, { expiresIn: 3_601 })],
    [
      'claims to be issued in the future to look short-lived',
      jwt.sign({ sub: 'alice', iat: now() + 10 * 3600, exp: now() + 10 * 3600 + 60 }, TEST_SECRET),
    ],
  ])('refuses a token that %s with AUTH_INVALID', async (_name, longLived) => {
    await expect(refusal(gateway.url, { token: longLived })).resolves.toMatchObject({
      code: 'AUTH_INVALID',
      message: expect.stringMatching(/JWT_MAX_LIFETIME_SECONDS/),
    });
  });

  it('accepts a token at exactly the longest lifetime', async () => {
    (await connect(gateway.url, { token: token('alice', {}, { expiresIn: 3_600 }) })).close();
  });

  it.each(TRANSPORTS)(
    'refuses a token that expired 3 s ago with AUTH_EXPIRED at the handshake (%s)',
    async (transport) => {
      const expired = jwt.sign({ sub: 'late', iat: now() - 63, exp: now() - 3 }, TEST_SECRET);
      await expect(
        refusal(gateway.url, { token: expired }, '', { transports: [transport] }),
      ).resolves.toMatchObject({ code: 'AUTH_EXPIRED' });
      await expect(
        refusal(gateway.url, { token: expired }, '/admin', { transports: [transport] }),
      ).resolves.toMatchObject({ code: 'AUTH_EXPIRED' });
    },
  );

  it.each(TRANSPORTS)(
    'drops a connection whose token reaches exp with an AUTH_EXPIRED exception, then disconnects (%s)',
    async (transport) => {
      const socket = await connect(
        gateway.url,
        { token: jwt.sign({ sub: 'shortlived', exp: now() + 2 }, TEST_SECRET) },
        { transports: [transport] },
      );
      const events: string[] = [];
      const exception = new Promise((resolve) =>
        socket.once('exception', (e: { code: string }) => resolve(events.push(e.code))),
      );
      const disconnected = new Promise((resolve) =>
        socket.once('disconnect', (reason) => resolve(events.push(reason))),
      );
      await Promise.all([exception, disconnected]);
      expect(events).toEqual(['AUTH_EXPIRED', 'io server disconnect']);
    },
  );

  it.each(TRANSPORTS)(
    'answers a 100 KB token with AUTH_TOKEN_TOO_LARGE (%s)',
    async (transport) => {
      const huge = token('alice', { pad: 'x'.repeat(100_000) });
      expect(huge.length).toBeGreaterThan(100_000);
      await expect(
        refusal(gateway.url, { token: huge }, '', { transports: [transport] }),
      ).resolves.toMatchObject({ code: 'AUTH_TOKEN_TOO_LARGE' });
      await expect(
        refusal(gateway.url, { token: huge }, '/admin', { transports: [transport] }),
      ).resolves.toMatchObject({ code: 'AUTH_TOKEN_TOO_LARGE' });
    },
  );

  it('answers a token just over JWT_MAX_TOKEN_BYTES with AUTH_TOKEN_TOO_LARGE, and one under it normally', async () => {
    const base = token('alice', { pad: '' });
    const sized = (bytes: number) =>
      token('alice', { pad: 'x'.repeat(Math.floor(((bytes - base.length) * 3) / 4)) });
    await expect(refusal(gateway.url, { token: sized(8_300) })).resolves.toMatchObject({
      code: 'AUTH_TOKEN_TOO_LARGE',
    });
    (await connect(gateway.url, { token: sized(8_000) })).close();
  });
});
