// Deeply nested payloads (about 20-60 KB: arrays or objects 10,000 levels deep) on every event of
// both namespaces, from authenticated real clients before any join. Each gets a coded answer,
// and the gateway stays up and serves another client (it used to end the whole process: the
// size check re-serialised the payload with JSON.stringify, which overflowed the stack).
import type { Socket } from 'socket.io-client';
import { ADMIN_INBOUND_EVENTS, INBOUND_EVENTS } from '../src/protocol/events';
import { connect, refusal, request, token } from '../src/testing/clients';
import { memoryStorage, startGateway } from '../src/testing/gateway';
import { deepArrayJson, deepObjectJson, rawRequest } from '../src/testing/raw';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(180_000);

// Large enough that the shape check, not the byte limit, refuses these payloads.
const LIMITS = {
  MAX_EVENT_BYTES: String(128 * 1024),
  MAX_MESSAGE_BYTES: String(1024 * 1024),
  RATE_LIMIT_BURST: '1000',
  RATE_LIMIT_PER_SECOND: '1000',
};
const DEPTH = 10_000;
const SHAPES = [
  ['arrays', deepArrayJson(DEPTH)],
  ['objects', deepObjectJson(DEPTH)],
] as const;

describe('deeply nested payloads', () => {
  let stack: Stack;
  let player: Socket;
  let admin: Socket;

  /** The gateway still serves: a new client connects, joins and gets a snapshot. */
  const anotherClientIsServed = async (sub: string) => {
    const other = await connect(stack.gateway.url, { token: token(sub) });
    try {
      await expect(request(other, 'world:join', { worldId: 'arena' })).resolves.toMatchObject({
        ok: true,
        worldId: 'arena',
      });
    } finally {
      other.close();
    }
  };

  beforeAll(async () => {
    stack = await startStack(LIMITS);
    await stack.world('arena');
    player = await connect(stack.gateway.url, { token: token('prober') });
    admin = await connect(`${stack.gateway.url}/admin`, {
      token: token('root', { roles: ['admin'] }),
    });
  });
  afterAll(async () => {
    player?.close();
    admin?.close();
    await stack?.stop();
  });

  const cases = (events: ReadonlySet<string>, namespace: string) =>
    [...events, 'no:such-event'].flatMap((event) =>
      SHAPES.flatMap(([shape, json]) =>
        [true, false].map((withAck) => [namespace, event, shape, withAck, json] as const),
      ),
    );

  it.each([...cases(INBOUND_EVENTS, '/'), ...cases(ADMIN_INBOUND_EVENTS, '/admin')])(
    '%s %s: %s 10,000 deep (ack: %s) gets a coded answer and the gateway stays up',
    async (namespace, event, _shape, withAck, json) => {
      const socket = namespace === '/' ? player : admin;
      const outcome = await rawRequest(socket, event, json, withAck);
      expect(outcome.kind).toBe(withAck ? 'ack' : 'exception');
      const known = namespace === '/' ? INBOUND_EVENTS.has(event) : ADMIN_INBOUND_EVENTS.has(event);
      expect(outcome).toMatchObject({
        answer: { code: known ? 'PAYLOAD_TOO_DEEP' : 'UNKNOWN_EVENT', message: expect.any(String) },
      });
      if (withAck) expect(outcome).toMatchObject({ answer: { ok: false } });
      expect(socket.connected).toBe(true);
      await expect(request(player, 'world:snapshot', { worldId: 'arena' })).resolves.toMatchObject({
        ok: false,
        code: 'NOT_IN_WORLD',
      });
    },
  );

  it('answers PAYLOAD_TOO_LARGE at the default byte limit, before looking inside', async () => {
    const strict = await startGateway(
      { INTERACTION_ENGINE_ADDRESS: '127.0.0.1:1' },
      { storage: await memoryStorage() },
    );
    try {
      const socket = await connect(strict.url, { token: token('prober') });
      await expect(rawRequest(socket, 'cmd', deepArrayJson(DEPTH), true)).resolves.toMatchObject({
        kind: 'ack',
        answer: { ok: false, code: 'PAYLOAD_TOO_LARGE' },
      });
      socket.close();
    } finally {
      await strict.close();
      await strict.storage.close();
    }
  });

  it('refuses a deeply nested handshake auth object with a coded connect_error', async () => {
    let auth: unknown = { token: token('nested') };
    for (let i = 0; i < 100; i++) auth = { inner: auth };
    await expect(
      refusal(stack.gateway.url, auth as Record<string, unknown>),
    ).resolves.toMatchObject({ code: 'PAYLOAD_TOO_DEEP' });
  });

  it('still serves another client after all of it', async () => {
    await anotherClientIsServed('newcomer');
  });
});
