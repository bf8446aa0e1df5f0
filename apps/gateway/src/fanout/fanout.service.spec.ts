// FanoutService on the real in-memory bus, with the engines' own event builders
// (testing/events.ts); only socket.io is a fake (testing/fake-sockets.ts).
import type { Storage } from '@anvil/storage';
import { traceFrom } from '../engine/trace';
import { ClientEvent } from '../protocol/events';
import { pollUntil } from '../testing/engines';
import { body, publishDelta, publishGameState, publishJoined } from '../testing/events';
import type { FakeSocket, Sent } from '../testing/fake-sockets';
import { memoryStorage, registerWorld } from '../testing/gateway';
import { gatewayServices, type GatewayServices } from '../testing/services';

// In-memory PGlite starts in seconds on a busy machine.
jest.setTimeout(60_000);

describe('FanoutService', () => {
  let storage: Storage;
  let gw: GatewayServices;

  beforeAll(async () => {
    storage = await memoryStorage();
    await registerWorld(storage, 'arena');
    await registerWorld(storage, 'lobby');
  });
  afterAll(() => storage.close());

  beforeEach(async () => {
    gw = await gatewayServices(storage, { SLOW_CLIENT_PACKETS: '4' });
    gw.engine.running('arena', 'lobby');
  });
  afterEach(() => gw.close());

  /** A socket that joined `worldId` and got its join answer. */
  async function joined(playerId: string, worldId = 'arena'): Promise<FakeSocket> {
    const client = gw.nsp.connect(playerId);
    const ack = await gw.worlds.join(client.socket, worldId, traceFrom());
    gw.worlds.afterAck(client.socket, worldId, ack.tick);
    return client;
  }
  const of = (sent: Sent[], event: string) =>
    sent.filter(([name]) => name === event).map(([, payload]) => payload);
  const delivered = (count: number) =>
    pollUntil(() => gw.nsp.broadcasts.length >= count, 5_000, `${count} broadcast(s)`);

  it('is ready once both world topics are subscribed', () => {
    expect(gw.fanout.ready).toBe(true);
  });

  it('broadcasts a physics delta to the world’s room and nowhere else', async () => {
    const alice = await joined('alice');
    const bob = await joined('bob', 'lobby');
    await publishDelta(gw.bus, 'arena', 7, [body('b1', 10)]);
    await delivered(1);
    expect(of(alice.sent, ClientEvent.Delta)).toEqual([
      { worldId: 'arena', tick: 7, bodies: [body('b1', 10)] },
    ]);
    expect(of(bob.sent, ClientEvent.Delta)).toEqual([]);
  });

  it("passes a game's state to its world's room, and to players who join later in their answer", async () => {
    const alice = await joined('alice');
    const bob = await joined('bob', 'lobby');
    await publishGameState(gw.bus, 'arena', 9, { it: 'alice', scores: { alice: 1 } });
    await publishGameState(gw.bus, 'arena', 8, { it: 'nobody' }); // late, older: ignored
    await delivered(1);
    const expected = {
      worldId: 'arena',
      module: 'tag-game',
      tick: 9,
      state: { it: 'alice', scores: { alice: 1 } },
    };
    expect(of(alice.sent, ClientEvent.GameState)).toEqual([expected]);
    expect(of(bob.sent, ClientEvent.GameState)).toEqual([]);
    const carol = gw.nsp.connect('carol');
    const ack = await gw.worlds.join(carol.socket, 'arena', traceFrom());
    expect(ack.gameState).toEqual(expected);
  });

  it('drops the deltas of a physics replica that lost the world (an older epoch than one seen)', async () => {
    const alice = await joined('alice');
    await publishDelta(gw.bus, 'arena', 20, [body('b1', 1)], undefined, 2);
    await publishDelta(gw.bus, 'arena', 21, [body('b1', 2)], undefined, 1); // the paused old owner
    await publishDelta(gw.bus, 'arena', 21, [body('b1', 3)], undefined, 2);
    await delivered(2);
    expect(of(alice.sent, ClientEvent.Delta).map((d) => (d as { tick: number }).tick)).toEqual([
      20, 21,
    ]);
    expect(of(alice.sent, ClientEvent.Delta)[1]).toMatchObject({ bodies: [body('b1', 3)] });
  });

  it('turns interaction events into world events and skips empty deltas', async () => {
    const alice = await joined('alice');
    await publishDelta(gw.bus, 'arena', 3, []);
    await publishJoined(gw.bus, 'arena', 4, 'bob');
    await delivered(1);
    expect(gw.nsp.broadcasts.map((b) => b.event)).toEqual([ClientEvent.WorldEvent]);
    expect(of(alice.sent, ClientEvent.WorldEvent)).toEqual([
      expect.objectContaining({
        worldId: 'arena',
        tick: 4,
        type: 'player-joined',
        playerId: 'bob',
      }),
    ]);
  });

  it('holds a joining socket until its snapshot is answered, then sends what came after it', async () => {
    const watcher = await joined('watcher');
    const alice = gw.nsp.connect('alice');
    const ack = await gw.worlds.join(alice.socket, 'arena', traceFrom());
    await publishDelta(gw.bus, 'arena', ack.tick, [body('old', 1)]);
    await publishDelta(gw.bus, 'arena', ack.tick + 1, [body('new', 2)]);
    await delivered(2);
    expect(gw.nsp.broadcasts.every((b) => b.except.includes(alice.socket.id))).toBe(true);
    expect(of(alice.sent, ClientEvent.Delta)).toEqual([]);
    expect(of(watcher.sent, ClientEvent.Delta)).toHaveLength(2);
    gw.worlds.afterAck(alice.socket, 'arena', ack.tick);
    expect(of(alice.sent, ClientEvent.Delta)).toEqual([
      expect.objectContaining({ worldId: 'arena', tick: ack.tick + 1, bodies: [body('new', 2)] }),
    ]);
  });

  it('holds a slow socket out of broadcasts and sends one coalesced delta when it drains', async () => {
    const alice = await joined('alice');
    alice.writeBuffer.push(1, 2, 3, 4);
    await publishDelta(gw.bus, 'arena', 10, [body('b1', 1)]);
    await publishDelta(gw.bus, 'arena', 11, [body('b1', 2), body('b2', 5)]);
    await delivered(2);
    expect(of(alice.sent, ClientEvent.Delta)).toEqual([]);
    alice.writeBuffer.length = 0;
    alice.drain();
    expect(of(alice.sent, ClientEvent.Delta)).toEqual([
      expect.objectContaining({
        tick: 11,
        bodies: expect.arrayContaining([body('b1', 2), body('b2', 5)]),
      }),
    ]);
    expect(await gw.metrics.coalesced.get()).toMatchObject({ values: [{ value: 2 }] });
  });

  it('remembers the worlds a dropped held socket missed and resyncs them with a snapshot', async () => {
    const alice = await joined('alice');
    gw.fanout.holdForSnapshot(alice.socket, 'arena');
    gw.fanout.dropSocket(alice.socket);
    expect(alice.socket.data.resync).toEqual(['arena']);
    gw.fanout.resync(alice.socket, 'arena');
    await pollUntil(
      () => of(alice.sent, ClientEvent.Snapshot).length === 1,
      5_000,
      'the resync snapshot',
    );
    expect(of(alice.sent, ClientEvent.Snapshot)[0]).toMatchObject({
      worldId: 'arena',
      tick: gw.engine.tick,
    });
  });
});
