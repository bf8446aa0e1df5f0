// Fan-out from the bus to rooms. The deltas are published on the gateway's in-memory bus by the
// test, in the physics engine's format (the engines here use their own in-memory buses; the
// Kafka integration test covers engine-produced deltas end to end). Joins and snapshots are real.
import type { Socket } from 'socket.io-client';
import { connect, record, request, token } from '../src/testing/clients';
import { pollUntil } from '../src/testing/engines';
import { body, publishDelta, publishJoined } from '../src/testing/events';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(240_000);

type Delta = {
  worldId: string;
  tick: number;
  fromTick?: number;
  bodies: Array<{ id: string; x: number }>;
  removed?: string[];
};

describe('fan-out', () => {
  let stack: Stack;
  let base = 0;
  const sockets: Socket[] = [];
  const joined = async (sub: string, worldId = 'arena', options: Record<string, unknown> = {}) => {
    const socket = await connect(stack.gateway.url, { token: token(sub) }, options);
    sockets.push(socket);
    const ack = await request<{ tick: number }>(socket, 'world:join', { worldId });
    base = Math.max(base, ack.tick + 10_000);
    return socket;
  };

  beforeAll(async () => {
    stack = await startStack({ MAX_PENDING_BODIES: '150', RECOVERY_WINDOW_MS: '60000' });
    await stack.world('arena');
    await stack.world('lobby');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.stop();
  });

  it("emits a world's deltas and events to its room only, skipping empty deltas", async () => {
    const alice = await joined('alice');
    const bob = await joined('bob', 'lobby');
    const aliceDeltas = record<Delta>(alice, 'delta');
    const bobDeltas = record<Delta>(bob, 'delta');
    const events = record(alice, 'world:event');
    await publishDelta(stack.bus, 'arena', base + 1, []);
    await publishDelta(stack.bus, 'arena', base + 2, [body('ball', 5)], ['gone']);
    await publishJoined(stack.bus, 'arena', base + 2, 'zoe');
    await pollUntil(() => aliceDeltas.length > 0 && events.length > 0, 30_000, 'the delta');
    expect(aliceDeltas).toEqual([
      { worldId: 'arena', tick: base + 2, bodies: [body('ball', 5)], removed: ['gone'] },
    ]);
    expect(events[0]).toEqual({
      worldId: 'arena',
      tick: base + 2,
      type: 'player-joined',
      playerId: 'zoe',
      bodyId: 'p:zoe',
    });
    await publishDelta(stack.bus, 'lobby', base + 3, [body('other', 1)]);
    await pollUntil(() => bobDeltas.length > 0, 30_000, 'the lobby delta');
    expect(aliceDeltas).toHaveLength(1);
  });

  it('coalesces deltas for a client that stops reading, latest state per body winning', async () => {
    const fast = await joined('fast');
    const slow = await joined('slow');
    const fastDeltas = record<Delta>(fast, 'delta');
    const slowDeltas = record<Delta>(slow, 'delta');
    const rawSocket = (
      slow.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }
    ).ws._socket;
    rawSocket.pause();
    const ids = Array.from(
      { length: 100 },
      (_, i) => `body-${String(i).padStart(3, '0')}-${'x'.repeat(50)}`,
    );
    const first = base + 100;
    const count = 1_500;
    for (let i = 0; i < count; i++) {
      await publishDelta(
        stack.bus,
        'arena',
        first + i,
        ids.map((id) => body(id, first + i)),
      );
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const last = first + count - 1;
    await pollUntil(
      () => fastDeltas.some((d) => d.tick === last),
      60_000,
      'the fast client to get everything',
    );
    rawSocket.resume();
    await pollUntil(
      () => slowDeltas.some((d) => d.tick === last),
      60_000,
      'the slow client to catch up',
    );
    const coalesced = slowDeltas.filter((d) => d.fromTick !== undefined);
    expect(coalesced.length).toBeGreaterThan(0);
    expect(slowDeltas.length).toBeLessThan(count);
    expect(slowDeltas.at(-1)?.bodies.every((b) => b.x === last)).toBe(true);
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/anvil_gateway_deltas_coalesced_total [1-9]/);
  });

  it('resynchronises with a snapshot when a held buffer overflows', async () => {
    const overflow = await joined('overflow');
    const snapshots = record<{ worldId: string; tick: number; bodies: unknown[] }>(
      overflow,
      'world:snapshot',
    );
    const rawSocket = (
      overflow.io.engine.transport as unknown as {
        ws: { _socket: { pause(): void; resume(): void } };
      }
    ).ws._socket;
    rawSocket.pause();
    const ids = Array.from(
      { length: 200 },
      (_, i) => `many-${String(i).padStart(3, '0')}-${'y'.repeat(50)}`,
    );
    const first = base + 5_000;
    for (let i = 0; i < 1_000; i++) {
      await publishDelta(
        stack.bus,
        'arena',
        first + i,
        ids.map((id) => body(id, i)),
      );
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    rawSocket.resume();
    await pollUntil(() => snapshots.length > 0, 60_000, 'a resync snapshot');
    expect(snapshots[0]).toMatchObject({
      worldId: 'arena',
      tick: expect.any(Number),
      bodies: expect.any(Array),
    });
  });

  it('recovers a dropped connection with the deltas it missed', async () => {
    const carol = await joined('carol', 'arena', {
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 200,
    });
    const deltas = record<Delta>(carol, 'delta');
    const tick = base + 20_000;
    await publishDelta(stack.bus, 'arena', tick, [body('ball', 1)]);
    await pollUntil(
      () => deltas.length === 1,
      30_000,
      'a first delta (gives the client an offset)',
    );
    const reconnected = new Promise((resolve) => carol.io.once('reconnect', resolve));
    carol.io.engine.close();
    await pollUntil(() => !carol.connected, 10_000, 'the drop');
    await publishDelta(stack.bus, 'arena', tick + 1, [body('ball', 2)]);
    await publishDelta(stack.bus, 'arena', tick + 2, [body('ball', 3)]);
    await reconnected;
    await pollUntil(() => deltas.length === 3, 30_000, 'the missed deltas');
    expect(carol.recovered).toBe(true);
    expect(deltas.map((d) => d.tick)).toEqual([tick, tick + 1, tick + 2]);
    await expect(
      request(carol, 'cmd', { seq: 1, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('a connection that is not recovered must join again and gets a fresh snapshot', async () => {
    const dave = await joined('dave');
    dave.close();
    const again = await connect(stack.gateway.url, { token: token('dave') });
    sockets.push(again);
    expect(again.recovered).toBe(false);
    await expect(
      request(again, 'cmd', { seq: 1, worldId: 'arena', type: 'jump' }),
    ).resolves.toMatchObject({ code: 'NOT_IN_WORLD' });
    await expect(request(again, 'world:join', { worldId: 'arena' })).resolves.toMatchObject({
      ok: true,
      tick: expect.any(Number),
      bodies: expect.any(Array),
    });
  });
});
