// WorldsService with its real collaborators (registry, player bodies, running worlds, fan-out,
// audit on in-memory storage); only the interaction engine and the sockets are fakes.
import { CapacityError, playerBodyId } from '@anvil/engine-contract';
import type { Storage } from '@anvil/storage';
import { traceFrom } from '../engine/trace';
import { ErrorCode } from '../errors/error-codes';
import { worldRoom } from '../protocol/socket-state';
import { pollUntil } from '../testing/engines';
import { memoryStorage, registerWorld } from '../testing/gateway';
import { gatewayServices, type GatewayServices } from '../testing/services';

// In-memory PGlite starts in seconds on a busy machine.
jest.setTimeout(60_000);

describe('WorldsService', () => {
  let storage: Storage;
  let gw: GatewayServices;
  const trace = traceFrom();

  beforeAll(async () => {
    storage = await memoryStorage();
    await registerWorld(storage, 'arena');
    await registerWorld(storage, 'lobby');
    await registerWorld(storage, 'building', 'Pending');
  });
  afterAll(() => storage.close());

  beforeEach(async () => {
    gw = await gatewayServices(storage, {
      MAX_WORLDS_PER_CONNECTION: '1',
      DISCONNECT_GRACE_MS: '50',
    });
    gw.engine.running('arena', 'lobby');
  });
  afterEach(() => gw.close());

  const inEngine = (worldId: string) => [...(gw.engine.worlds.get(worldId) ?? [])].sort();
  const isOpen = async (sessionId: string | undefined) =>
    (await storage.sessions.get(sessionId ?? ''))?.disconnectedAt === null;

  it('joins: the player’s body in the engine, the socket in the room, a session, and a snapshot ack', async () => {
    const { socket } = gw.nsp.connect('alice');
    const ack = await gw.worlds.join(socket, 'arena', trace);
    expect(ack).toEqual({
      ok: true,
      worldId: 'arena',
      playerId: 'alice',
      bodyId: playerBodyId('alice'),
      tick: gw.engine.tick,
      bodies: [],
    });
    expect(inEngine('arena')).toEqual(['alice']);
    expect(gw.nsp.rooms.get(worldRoom('arena'))).toEqual(new Set([socket.id]));
    expect(socket.data.worlds['arena']?.sessionId).toEqual(expect.any(String));
    expect(await isOpen(socket.data.worlds['arena']?.sessionId)).toBe(true);
  });

  it('leaves a world the control plane deleted meanwhile without a storage error (its sessions went with it)', async () => {
    await registerWorld(storage, 'doomed');
    gw.engine.running('doomed');
    const { socket } = gw.nsp.connect('dora');
    await gw.worlds.join(socket, 'doomed', trace);
    const sessionErrors = async () =>
      (await gw.metrics.storageErrors.get()).values.find((v) => v.labels.operation === 'session')
        ?.value ?? 0;
    const before = await sessionErrors();
    await storage.worlds.delete('doomed');
    gw.worlds.leave(socket, 'doomed', 'left', trace);
    await gw.audit.drain(5_000);
    expect(await sessionErrors()).toBe(before);
  });

  it('starts a world its engine does not run yet (first join after Ready, or after a restart)', async () => {
    gw.engine.restart();
    const { socket } = gw.nsp.connect('alice');
    await expect(gw.worlds.join(socket, 'arena', trace)).resolves.toMatchObject({ ok: true });
    expect(gw.engine.callsOf('start')).toEqual([{ method: 'start', worldId: 'arena' }]);
    expect(inEngine('arena')).toEqual(['alice']);
  });

  it('refuses unknown, unready, forbidden and one-too-many worlds with their codes', async () => {
    const { socket } = gw.nsp.connect('alice', {
      worlds: ['arena', 'lobby', 'nowhere', 'building'],
    });
    await expect(gw.worlds.join(socket, 'nowhere', trace)).rejects.toMatchObject({
      code: ErrorCode.WorldNotFound,
    });
    await expect(gw.worlds.join(socket, 'building', trace)).rejects.toMatchObject({
      code: ErrorCode.WorldNotReady,
    });
    const other = gw.nsp.connect('bob', { worlds: ['lobby'] });
    await expect(gw.worlds.join(other.socket, 'arena', trace)).rejects.toMatchObject({
      code: ErrorCode.WorldForbidden,
    });
    await gw.worlds.join(socket, 'arena', trace);
    await expect(gw.worlds.join(socket, 'lobby', trace)).rejects.toMatchObject({
      code: ErrorCode.TooManyWorlds,
    });
    expect(gw.engine.callsOf('apply')).toHaveLength(1);
  });

  it('joining again answers with a fresh snapshot and no second body', async () => {
    const { socket } = gw.nsp.connect('alice');
    await gw.worlds.join(socket, 'arena', trace);
    await expect(gw.worlds.join(socket, 'arena', trace)).resolves.toMatchObject({
      ok: true,
      worldId: 'arena',
    });
    expect(gw.engine.callsOf('apply')).toHaveLength(1);
    expect(gw.engine.callsOf('snapshot')).toHaveLength(2);
  });

  it('undoes a join the engine failed: no room, no membership, and the next join tries again', async () => {
    const { socket } = gw.nsp.connect('alice');
    gw.engine.failures.push(new CapacityError('world "arena" is full'));
    await expect(gw.worlds.join(socket, 'arena', trace)).rejects.toMatchObject({
      code: ErrorCode.EngineRejected,
    });
    expect(gw.nsp.rooms.get(worldRoom('arena'))?.size ?? 0).toBe(0);
    expect(socket.data.worlds).toEqual({});
    await expect(gw.worlds.join(socket, 'arena', trace)).resolves.toMatchObject({ ok: true });
    expect(inEngine('arena')).toEqual(['alice']);
  });

  it('keeps the body while another socket of the player is in the world; the last leave removes it', async () => {
    const first = gw.nsp.connect('alice');
    const second = gw.nsp.connect('alice');
    await gw.worlds.join(first.socket, 'arena', trace);
    await gw.worlds.join(second.socket, 'arena', trace);
    const sessions = [first, second].map(({ socket }) => socket.data.worlds['arena']?.sessionId);
    expect(gw.engine.callsOf('apply')).toHaveLength(1);
    gw.worlds.leave(first.socket, 'arena', 'left', trace);
    expect(gw.worlds.playersHere('arena')).toEqual(['alice']);
    gw.worlds.leave(second.socket, 'arena', 'left', trace);
    await pollUntil(() => inEngine('arena').length === 0, 5_000, 'the engine leave');
    expect(gw.worlds.playersHere('arena')).toEqual([]);
    await pollUntil(
      async () => !(await isOpen(sessions[0])) && !(await isOpen(sessions[1])),
      5_000,
      'the sessions to close',
    );
  });

  it('a snapshot or a leave of a world not joined is NOT_IN_WORLD', async () => {
    const { socket } = gw.nsp.connect('alice');
    await expect(gw.worlds.snapshot(socket, 'arena')).rejects.toMatchObject({
      code: ErrorCode.NotInWorld,
    });
    expect(() => gw.worlds.leave(socket, 'arena', 'left', trace)).toThrow(
      expect.objectContaining({ code: ErrorCode.NotInWorld }),
    );
  });

  it('a dropped connection keeps its worlds for recovery; the body goes after the grace period', async () => {
    const { socket } = gw.nsp.connect('alice');
    await gw.worlds.join(socket, 'arena', trace);
    gw.worlds.disconnected(socket);
    expect(Object.keys(socket.data.worlds)).toEqual(['arena']);
    expect(inEngine('arena')).toEqual(['alice']);
    await pollUntil(
      () => inEngine('arena').length === 0,
      5_000,
      'the leave after the grace period',
    );
  });

  it('a connection recovered within the grace period keeps its body in the engine', async () => {
    const { socket } = gw.nsp.connect('alice');
    await gw.worlds.join(socket, 'arena', trace);
    gw.worlds.disconnected(socket);
    gw.worlds.recovered(socket);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(inEngine('arena')).toEqual(['alice']);
    expect(gw.worlds.playersHere('arena')).toEqual(['alice']);
  });
});
