// Joining, commanding and leaving against a running gateway and real engine processes.
import type { Socket } from 'socket.io-client';
import { connect, record, request, token } from '../src/testing/clients';
import { pollUntil } from '../src/testing/engines';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(180_000);

describe('worlds: join, command, leave', () => {
  let stack: Stack;
  const sockets: Socket[] = [];
  const player = async (sub: string, claims: Record<string, unknown> = {}) => {
    const socket = await connect(stack.gateway.url, { token: token(sub, claims) });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    stack = await startStack();
    await stack.world('arena');
    await stack.world('lobby');
    await stack.world('pending', { phase: 'Resolved' });
    await stack.world('ghost', { onEngine: false });
    // Its binding names a physics engine nobody listens on.
    await stack.world('cut-off', {
      onEngine: false,
      bindings: [
        {
          capabilityId: 'physics.simulation',
          consumer: 'interaction-engine',
          provider: 'physics-rapier',
          address: '127.0.0.1:1',
          shard: null,
        },
      ],
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.stop();
  });

  it('joins a world: the ack carries the snapshot, tick and the player body', async () => {
    const alice = await player('alice');
    const ack = await request(alice, 'world:join', { worldId: 'arena' });
    expect(ack).toMatchObject({
      ok: true,
      worldId: 'arena',
      playerId: 'alice',
      bodyId: 'p:alice',
      tick: expect.any(Number),
      bodies: expect.any(Array),
    });
    // The engine spawns the body at the next tick boundary: a later snapshot has it, drawable.
    await pollUntil(
      async () =>
        (
          await request<{ bodies: Array<{ id: string }> }>(alice, 'world:snapshot', {
            worldId: 'arena',
          })
        ).bodies.some((b) => b.id === 'p:alice'),
      30_000,
      'the body',
    );
    const snap = await request<{ ok: boolean; bodies: Array<Record<string, unknown>> }>(
      alice,
      'world:snapshot',
      { worldId: 'arena' },
    );
    expect(snap.bodies.find((b) => b['id'] === 'p:alice')).toMatchObject({
      shape: 'ball',
      kind: 'dynamic',
      hw: expect.any(Number),
      x: expect.any(Number),
    });
  });

  it('sends a normalised command and acks it with its seq and apply tick', async () => {
    const alice = sockets[0];
    const ack = await request(alice, 'cmd', {
      seq: 1,
      worldId: 'arena',
      type: 'move',
      dx: 1.23456,
      dy: 0.5,
    });
    expect(ack).toEqual({ ok: true, seq: 1, tick: expect.any(Number) });
    await expect(
      request(alice, 'cmd', { seq: 2, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: true, seq: 2 });
  });

  it('passes engine refusals on as ENGINE_REJECTED with the engine code', async () => {
    const alice = sockets[0];
    // A move faster than the engine's cap is slowed to it, not refused.
    await expect(
      request(alice, 'cmd', { seq: 3, worldId: 'arena', type: 'move', dx: 500 }),
    ).resolves.toMatchObject({ ok: true, seq: 3 });
    await expect(
      request(alice, 'cmd', { seq: 4, worldId: 'arena', type: 'interact', targetId: 'nobody' }),
    ).resolves.toMatchObject({
      code: 'ENGINE_REJECTED',
      engineCode: 'NOT_FOUND',
    });
  });

  it('starts a Ready world its engine does not run yet at the first join', async () => {
    const ack = await request(await player('first-in-ghost'), 'world:join', { worldId: 'ghost' });
    expect(ack).toMatchObject({ ok: true, worldId: 'ghost', bodyId: 'p:first-in-ghost' });
    await expect(stack.engines.client.snapshot({ worldId: 'ghost' })).resolves.toMatchObject({
      worldId: 'ghost',
    });
  });

  it.each([
    ['an unknown world', 'atlantis', {}, 'WORLD_NOT_FOUND'],
    ['a world the token does not allow', 'lobby', { worlds: ['arena'] }, 'WORLD_FORBIDDEN'],
    ['a world that is not ready', 'pending', {}, 'WORLD_NOT_READY'],
    [
      'a world whose physics binding names an engine that does not answer',
      'cut-off',
      {},
      'ENGINE_UNAVAILABLE',
    ],
  ])('refuses to join %s', async (_name, worldId, claims, code) => {
    const socket = await player(`p-${code.toLowerCase()}-${worldId}`, claims);
    await expect(request(socket, 'world:join', { worldId })).resolves.toMatchObject({
      ok: false,
      code,
      message: expect.any(String),
    });
    expect(socket.connected).toBe(true);
  });

  it('refuses commands and snapshots for a world not joined', async () => {
    const bob = await player('bob');
    await expect(
      request(bob, 'cmd', { seq: 1, worldId: 'lobby', type: 'jump' }),
    ).resolves.toMatchObject({ ok: false, seq: 1, code: 'NOT_IN_WORLD' });
    await expect(request(bob, 'world:snapshot', { worldId: 'lobby' })).resolves.toMatchObject({
      ok: false,
      code: 'NOT_IN_WORLD',
    });
    await expect(request(bob, 'world:leave', { worldId: 'lobby' })).resolves.toMatchObject({
      ok: false,
      code: 'NOT_IN_WORLD',
    });
  });

  it('limits worlds per connection', async () => {
    const many = await player('many');
    const worlds = ['w1', 'w2', 'w3', 'w4', 'w5'];
    for (const w of worlds) await stack.world(w);
    for (const w of worlds.slice(0, 4))
      await expect(request(many, 'world:join', { worldId: w })).resolves.toMatchObject({
        ok: true,
      });
    await expect(request(many, 'world:join', { worldId: 'w5' })).resolves.toMatchObject({
      ok: false,
      code: 'TOO_MANY_WORLDS',
    });
  });

  it('leaves: the engine removes the body, sessions close, audit rows carry trace ids', async () => {
    const carol = await player('carol');
    const trace = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`;
    await expect(request(carol, 'world:join', { worldId: 'lobby', trace })).resolves.toMatchObject({
      ok: true,
    });
    await expect(request(carol, 'world:leave', { worldId: 'lobby' })).resolves.toEqual({
      ok: true,
      worldId: 'lobby',
    });
    await pollUntil(
      async () =>
        !(await stack.engines.client.snapshot({ worldId: 'lobby' })).bodies.some(
          (b) => b.bodyId === 'p:carol',
        ),
      30_000,
      'the body to go',
    );
    await pollUntil(
      async () =>
        (await stack.storage.audit.listByWorld('lobby')).some(
          (e) => e.action === 'world.leave' && e.actor === 'carol',
        ),
      30_000,
      'leave audit',
    );
    const entries = await stack.storage.audit.listByWorld('lobby');
    expect(entries.find((e) => e.action === 'world.join' && e.actor === 'carol')?.traceId).toBe(
      'c'.repeat(32),
    );
    expect(await stack.storage.sessions.listOpen('lobby')).toEqual([]);
  });

  it('a disconnect closes the session and removes the body (grace 0 here)', async () => {
    const dave = await player('dave');
    await request(dave, 'world:join', { worldId: 'lobby' });
    await pollUntil(
      async () =>
        (await stack.storage.sessions.listOpen('lobby')).some((s) => s.playerId === 'dave'),
      30_000,
      'session',
    );
    await request(dave, 'cmd', { seq: 7, worldId: 'lobby', type: 'jump' });
    dave.close();
    await pollUntil(
      async () =>
        !(await stack.storage.sessions.listOpen('lobby')).some((s) => s.playerId === 'dave'),
      30_000,
      'session closed',
    );
    await pollUntil(
      async () =>
        !(await stack.engines.client.snapshot({ worldId: 'lobby' })).bodies.some(
          (b) => b.bodyId === 'p:dave',
        ),
      30_000,
      'body removed',
    );
  });

  it('gives events without an ack their error as an exception event', async () => {
    const erin = await player('erin');
    const exceptions = record(erin, 'exception');
    erin.emit('cmd', { seq: 1, worldId: 'arena', type: 'jump' });
    await pollUntil(() => exceptions.length > 0, 30_000, 'exception');
    expect(exceptions[0]).toMatchObject({ event: 'cmd', seq: 1, code: 'NOT_IN_WORLD' });
  });
});
