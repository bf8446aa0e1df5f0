// Bad input at the socket.io boundary: each kind gets its coded answer, the connection or the
// process survives as documented, and a bystander in the same world is unaffected.
import type { Socket } from 'socket.io-client';
import { connect, record, request, token } from '../src/testing/clients';
import { pollUntil } from '../src/testing/engines';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(180_000);

const LIMITS = {
  RATE_LIMIT_PER_SECOND: '5',
  RATE_LIMIT_BURST: '10',
  RATE_LIMIT_DISCONNECT_AFTER: '50',
  MAX_EVENT_BYTES: '1024',
  MAX_MESSAGE_BYTES: '8192',
};

describe('bad input', () => {
  let stack: Stack;
  let bystander: Socket;
  let seq = 0;
  const sockets: Socket[] = [];
  const joined = async (sub: string) => {
    const socket = await connect(stack.gateway.url, { token: token(sub) });
    sockets.push(socket);
    await expect(request(socket, 'world:join', { worldId: 'arena' })).resolves.toMatchObject({
      ok: true,
    });
    return socket;
  };
  /** The bystander still gets answers: the gateway and its connection are fine. */
  const bystanderWorks = async () => {
    expect(bystander.connected).toBe(true);
    await expect(
      request(bystander, 'cmd', { seq: ++seq, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: expect.any(Boolean), seq });
  };

  beforeAll(async () => {
    stack = await startStack(LIMITS, { interaction: { JUMP_COOLDOWN_MS: '0' } });
    await stack.world('arena');
    bystander = await joined('bystander');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.stop();
  });

  it.each([
    ['no payload', undefined, /payload must be a JSON object/],
    ['a number', 42, /payload must be a JSON object/],
    [
      'an unknown command type',
      { seq: 1, worldId: 'arena', type: 'teleport' },
      /type must be one of/,
    ],
    ['a missing seq', { worldId: 'arena', type: 'jump' }, /seq/],
    [
      'NaN (null on the wire)',
      { seq: 1, worldId: 'arena', type: 'move', dx: NaN },
      /dx must be number/,
    ],
    [
      'acting for another player',
      { seq: 1, worldId: 'arena', type: 'jump', playerId: 'bystander' },
      /unknown field "playerId"/,
    ],
    [
      'binary data',
      { seq: 1, worldId: 'arena', type: 'move', dx: Buffer.from('x') },
      /dx must be number/,
    ],
  ])(
    'answers a malformed cmd (%s) with BAD_PAYLOAD and keeps the connection',
    async (_name, payload, message) => {
      const socket = await joined(`malformed-${sockets.length}`);
      const answer =
        payload === undefined
          ? await request(socket, 'cmd')
          : await request(socket, 'cmd', payload);
      expect(answer).toMatchObject({
        ok: false,
        code: 'BAD_PAYLOAD',
        message: expect.stringMatching(message),
      });
      await expect(
        request(socket, 'cmd', { seq: 1, worldId: 'arena', type: 'jump' }),
      ).resolves.toMatchObject({ ok: true });
      await bystanderWorks();
    },
  );

  it('answers an unknown event with UNKNOWN_EVENT', async () => {
    const socket = await joined('curious');
    await expect(request(socket, 'admin:kick', { playerId: 'bystander' })).resolves.toMatchObject({
      ok: false,
      code: 'UNKNOWN_EVENT',
    });
    await bystanderWorks();
  });

  it('answers a payload over MAX_EVENT_BYTES with PAYLOAD_TOO_LARGE and keeps the connection', async () => {
    const socket = await joined('verbose');
    const answer = await request(socket, 'cmd', {
      seq: 1,
      worldId: 'arena',
      type: 'jump',
      pad: 'x'.repeat(2_000),
    });
    expect(answer).toMatchObject({ ok: false, seq: 1, code: 'PAYLOAD_TOO_LARGE' });
    expect(socket.connected).toBe(true);
    await expect(
      request(socket, 'cmd', { seq: 2, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('closes a connection that sends a message over MAX_MESSAGE_BYTES; others are unaffected', async () => {
    const socket = await joined('huge');
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    socket.emit('cmd', { seq: 1, worldId: 'arena', type: 'jump', pad: 'x'.repeat(20_000) });
    await expect(closed).resolves.toMatch(/transport (close|error)/);
    await bystanderWorks();
  });

  it('refuses replayed and backwards sequence numbers with SEQ_REPLAYED', async () => {
    const socket = await joined('replayer');
    await expect(
      request(socket, 'cmd', { seq: 10, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: true, seq: 10 });
    await expect(
      request(socket, 'cmd', { seq: 10, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: false, seq: 10, code: 'SEQ_REPLAYED' });
    await expect(
      request(socket, 'cmd', { seq: 3, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: false, seq: 3, code: 'SEQ_REPLAYED' });
    await expect(
      request(socket, 'cmd', { seq: 11, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: true, seq: 11 });
  });

  it('rate-limits a flood with RATE_LIMITED and retryAfterMs, then serves again', async () => {
    const socket = await joined('flooder');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        request(socket, 'cmd', { seq: i + 1, worldId: 'arena', type: 'jump' }),
      ),
    );
    const limited = answers.filter((a) => a['code'] === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(limited[0]).toMatchObject({ ok: false, retryAfterMs: expect.any(Number) });
    expect(answers.filter((a) => a['ok'] === true).length).toBeGreaterThanOrEqual(1);
    await bystanderWorks();
    await new Promise((r) => setTimeout(r, 1_000));
    await expect(
      request(socket, 'cmd', { seq: 100, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('closes a connection that keeps flooding after RATE_LIMITED; others are unaffected', async () => {
    const socket = await joined('relentless');
    const exceptions = record(socket, 'exception');
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    for (let i = 0; i < 200 && socket.connected; i++)
      socket.emit('cmd', { seq: i + 1, worldId: 'arena', type: 'jump' });
    await expect(closed).resolves.toBe('io server disconnect');
    await pollUntil(
      () => exceptions.some((e) => /kept flooding/.test(String(e['message']))),
      10_000,
      'the closing exception',
    );
    await bystanderWorks();
  });

  it('counts refusals by code on /metrics', async () => {
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    for (const code of [
      'BAD_PAYLOAD',
      'PAYLOAD_TOO_LARGE',
      'SEQ_REPLAYED',
      'RATE_LIMITED',
      'UNKNOWN_EVENT',
    ]) {
      expect(metrics).toMatch(
        new RegExp(`anvil_gateway_(commands|requests)_total\\{[^}]*result="${code}"[^}]*\\} [1-9]`),
      );
    }
    expect(metrics).toMatch(/anvil_gateway_commands_total\{result="ok"\} [1-9]/);
  });
});
