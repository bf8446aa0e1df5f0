// CommandsService with the real worlds services behind it; only the interaction engine and the
// sockets are fakes (testing/fake-engine.ts, testing/fake-sockets.ts).
import { EngineUnavailableError, InvalidCommandError } from '@anvil/engine-contract';
import type { Storage } from '@anvil/storage';
import { traceFrom } from '../engine/trace';
import { ErrorCode } from '../errors/error-codes';
import type { FakeSocket } from '../testing/fake-sockets';
import { memoryStorage, registerWorld } from '../testing/gateway';
import { gatewayServices, type GatewayServices } from '../testing/services';

// In-memory PGlite starts in seconds on a busy machine.
jest.setTimeout(60_000);

describe('CommandsService', () => {
  let storage: Storage;
  let gw: GatewayServices;

  beforeAll(async () => {
    storage = await memoryStorage();
    await registerWorld(storage, 'arena');
  });
  afterAll(() => storage.close());

  beforeEach(async () => {
    gw = await gatewayServices(storage);
    gw.engine.running('arena');
  });
  afterEach(() => gw.close());

  async function joined(playerId: string): Promise<FakeSocket> {
    const client = gw.nsp.connect(playerId);
    await gw.worlds.join(client.socket, 'arena', traceFrom());
    return client;
  }

  it('sends a joined player’s command to the engine as that player and acks its tick', async () => {
    const { socket } = await joined('alice');
    const ack = await gw.commands.handle(socket, {
      seq: 1,
      worldId: 'arena',
      type: 'move',
      dx: 1.23456,
    });
    expect(ack).toEqual({ ok: true, seq: 1, tick: gw.engine.tick });
    expect(gw.engine.callsOf('apply').at(-1)).toEqual({
      method: 'apply',
      worldId: 'arena',
      command: { type: 'move', playerId: 'alice', dx: 1.235, dy: 0 },
    });
  });

  it('refuses a replayed or older seq before the engine sees it', async () => {
    const { socket } = await joined('alice');
    await gw.commands.handle(socket, { seq: 5, worldId: 'arena', type: 'jump' });
    const sent = gw.engine.calls.length;
    for (const seq of [5, 4]) {
      await expect(
        gw.commands.handle(socket, { seq, worldId: 'arena', type: 'jump' }),
      ).rejects.toMatchObject({
        code: ErrorCode.SeqReplayed,
      });
    }
    expect(gw.engine.calls).toHaveLength(sent);
  });

  it('refuses a world the socket has not joined, using up the seq', async () => {
    const { socket } = gw.nsp.connect('bob');
    await expect(
      gw.commands.handle(socket, { seq: 1, worldId: 'arena', type: 'jump' }),
    ).rejects.toMatchObject({
      code: ErrorCode.NotInWorld,
    });
    expect(socket.data.lastSeq).toBe(1);
    expect(gw.engine.callsOf('apply')).toEqual([]);
  });

  it('after an engine restart, starts the world once, puts the player back and applies the command once', async () => {
    const { socket } = await joined('alice');
    gw.engine.restart();
    const ack = await gw.commands.handle(socket, { seq: 1, worldId: 'arena', type: 'jump' });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    expect(gw.engine.callsOf('start')).toHaveLength(1);
    expect([...gw.engine.worlds.get('arena')!]).toEqual(['alice']);
    const jumps = gw.engine
      .callsOf('apply')
      .filter((c) => c.method === 'apply' && c.command.type === 'jump');
    // The first jump reached an engine without the world: it applied nothing.
    expect(jumps).toHaveLength(2);
  });

  it('starts a lost world once however many players’ commands find it gone', async () => {
    const players = await Promise.all(['alice', 'bob', 'carol'].map(joined));
    gw.engine.restart();
    const acks = await Promise.all(
      players.map(({ socket }) =>
        gw.commands.handle(socket, { seq: 1, worldId: 'arena', type: 'jump' }),
      ),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);
    expect(gw.engine.callsOf('start')).toHaveLength(1);
    expect([...gw.engine.worlds.get('arena')!].sort()).toEqual(['alice', 'bob', 'carol']);
  });

  it("sends a command again, once, when the world's engine went away: the player sees no error", async () => {
    const { socket } = await joined('alice');
    gw.engine.failures.push(new EngineUnavailableError('connect ECONNREFUSED'));
    await expect(
      gw.commands.handle(socket, { seq: 1, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: true, seq: 1 });
    expect(gw.engine.callsOf('start')).toHaveLength(1);
    const jumps = gw.engine.calls.filter((c) => c.method === 'apply' && c.command.type === 'jump');
    expect(jumps).toHaveLength(2);
  });

  it('passes other engine failures on without starting the world', async () => {
    const { socket } = await joined('alice');
    gw.engine.failures.push(new InvalidCommandError('no such target'));
    await expect(
      gw.commands.handle(socket, {
        seq: 1,
        worldId: 'arena',
        type: 'interact',
        targetId: 'nobody',
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.EngineRejected,
      extra: { engineCode: 'INVALID_ARGUMENT' },
    });
    expect(gw.engine.callsOf('start')).toEqual([]);
  });
});
