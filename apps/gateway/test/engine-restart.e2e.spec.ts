// The interaction engine restarts under a joined player: the gateway starts the world on the
// new engine process and puts the player back, the physics engine kept the body, and the
// player's next command goes through without a new join.
import { connect, request, token } from '../src/testing/clients';
import { pollUntil } from '../src/testing/engines';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(180_000);

describe('interaction engine restart', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    // Started by the first join, as in cluster mode.
    await stack.world('arena', { onEngine: false });
  });
  afterAll(() => stack?.stop());

  it('keeps a joined player playing: the world and the player are put back on the new engine', async () => {
    const socket = await connect(stack.gateway.url, { token: token('alice') });
    try {
      const alice = async () =>
        (
          await request<{ bodies: Array<{ id: string; x: number }> }>(socket, 'world:snapshot', {
            worldId: 'arena',
          })
        ).bodies.filter((b) => b.id === 'p:alice');
      await expect(request(socket, 'world:join', { worldId: 'arena' })).resolves.toMatchObject({
        ok: true,
        bodyId: 'p:alice',
      });
      await expect(
        request(socket, 'cmd', { seq: 1, worldId: 'arena', type: 'move', dx: 2, dy: 0 }),
      ).resolves.toMatchObject({ ok: true, seq: 1 });

      await stack.engines.restartInteraction();

      const ack = await request(socket, 'cmd', {
        seq: 2,
        worldId: 'arena',
        type: 'move',
        dx: -2,
        dy: 0,
      });
      expect(ack).toMatchObject({ ok: true, seq: 2, tick: expect.any(Number) });
      // (With BUS=memory the engines' deltas do not reach this gateway: watch snapshots instead.)
      const [before] = await alice();
      await pollUntil(
        async () => (await alice())[0].x < before.x - 50,
        30_000,
        'alice moving left',
      );
      // One body: the player took back the body physics kept, no second one was spawned.
      expect(await alice()).toHaveLength(1);
    } finally {
      socket.close();
    }
  });
});
