// The /admin namespace: listing worlds and players, kicking (also across gateway instances
// sharing a bus), every action audited.
import type { Socket } from 'socket.io-client';
import type { RunningGateway } from '../src/bootstrap';
import { connect, record, request, token } from '../src/testing/clients';
import { pollUntil } from '../src/testing/engines';
import { startGateway } from '../src/testing/gateway';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(180_000);

describe('admin namespace', () => {
  let stack: Stack;
  let second: RunningGateway;
  let admin: Socket;
  const sockets: Socket[] = [];
  const player = async (sub: string, url = stack.gateway.url) => {
    const socket = await connect(url, { token: token(sub) });
    sockets.push(socket);
    await expect(request(socket, 'world:join', { worldId: 'arena' })).resolves.toMatchObject({
      ok: true,
    });
    return socket;
  };

  beforeAll(async () => {
    stack = await startStack();
    await stack.world('arena');
    second = await startGateway(
      { INTERACTION_ENGINE_ADDRESS: stack.engines.interaction.address, GATEWAY_ID: 'second' },
      { bus: stack.bus, storage: stack.storage },
    );
    admin = await connect(`${stack.gateway.url}/admin`, {
      token: token('root', { roles: ['admin'] }),
    });
    sockets.push(admin);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await second?.close();
    await stack?.stop();
  });

  it('lists worlds with the players connected here, and open sessions', async () => {
    await player('alice');
    const worlds = await request<{ ok: true; worlds: Array<Record<string, unknown>> }>(
      admin,
      'admin:worlds',
      {},
    );
    expect(worlds.worlds).toEqual([
      expect.objectContaining({ id: 'arena', phase: 'Ready', playersHere: 1 }),
    ]);
    const players = await request<{ players: Array<Record<string, unknown>> }>(
      admin,
      'admin:players',
      { worldId: 'arena' },
    );
    expect(players.players).toEqual([
      expect.objectContaining({
        playerId: 'alice',
        gateway: expect.any(String),
        sessionId: expect.any(String),
      }),
    ]);
    await expect(request(admin, 'admin:players', { worldId: 'bad id' })).resolves.toMatchObject({
      ok: false,
      code: 'BAD_PAYLOAD',
    });
  });

  it('kicks a player from one world: it stays connected', async () => {
    const bob = await player('bob');
    const exceptions = record(bob, 'exception');
    await expect(
      request(admin, 'admin:kick', { playerId: 'bob', worldId: 'arena', reason: 'afk' }),
    ).resolves.toEqual({ ok: true, playerId: 'bob', kickedHere: 1 });
    await pollUntil(() => exceptions.length > 0, 10_000, 'the kick notice');
    expect(exceptions[0]).toMatchObject({ code: 'KICKED', message: 'afk', worldId: 'arena' });
    expect(bob.connected).toBe(true);
    await expect(
      request(bob, 'cmd', { seq: 1, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ code: 'NOT_IN_WORLD' });
  });

  it('kicks a player connected to another instance, and audits the kick', async () => {
    const carol = await player('carol', second.url);
    const disconnected = new Promise((resolve) => carol.once('disconnect', resolve));
    const exceptions = record(carol, 'exception');
    const trace = `00-${'e'.repeat(32)}-${'f'.repeat(16)}-01`;
    await expect(request(admin, 'admin:kick', { playerId: 'carol', trace })).resolves.toMatchObject(
      { ok: true, kickedHere: 0 },
    );
    await expect(disconnected).resolves.toBe('io server disconnect');
    expect(exceptions[0]).toMatchObject({ code: 'KICKED' });
    const audit = await stack.storage.audit.listByTrace('e'.repeat(32));
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'root',
          action: 'player.kick',
          details: expect.objectContaining({ playerId: 'carol' }),
        }),
      ]),
    );
    await pollUntil(
      async () =>
        (await stack.storage.audit.listByTrace('e'.repeat(32))).some(
          (e) => e.action === 'world.leave' && e.actor === 'carol',
        ),
      30_000,
      'the leave on the other instance',
    );
  });

  it('audits listing', async () => {
    await pollUntil(
      async () => {
        const all = await stack.storage.audit.listByWorld('arena', { limit: 1000 });
        return all.some((e) => e.action === 'admin.list-players' && e.actor === 'root');
      },
      10_000,
      'list audit',
    );
  });
});
