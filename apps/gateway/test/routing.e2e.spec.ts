// Per-world routing: two game-module processes behind one gateway. Each world's commands go to
// the module its record's entry binding names (not INTERACTION_ENGINE_ADDRESS), and when the
// record changes (a newer module version is bound) the players' next commands follow it.
import { EngineClient, isUnknownWorldError } from '@anvil/engine-contract';
import type { WorldBinding } from '@anvil/storage';
import { connect, request, token } from '../src/testing/clients';
import {
  TEST_ENGINE_TOKEN,
  pollUntil,
  startInteractionEngine,
  stopProcess,
  type EngineProcess,
} from '../src/testing/engines';
import { registerWorld } from '../src/testing/gateway';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(180_000);

const entry = (address: string): WorldBinding => ({
  capabilityId: 'game.interaction',
  consumer: 'gateway',
  provider: 'tag-game',
  address,
  shard: null,
});

describe('routing each world to its game module', () => {
  let stack: Stack;
  let other: EngineProcess;
  let otherClient: EngineClient;
  let defaultClient: EngineClient;

  const runs = async (client: EngineClient, worldId: string) =>
    client.snapshot({ worldId }).then(
      () => true,
      (error: unknown) => {
        if (isUnknownWorldError(error)) return false;
        throw error;
      },
    );

  beforeAll(async () => {
    stack = await startStack({ ROUTE_REFRESH_MS: '200' });
    other = await startInteractionEngine(stack.engines.physics.address);
    const access = { token: TEST_ENGINE_TOKEN, caller: 'routing-test' };
    otherClient = new EngineClient(other.address, { access });
    defaultClient = stack.engines.client;
    await stack.world('arena', { onEngine: false });
    await stack.world('tag', { onEngine: false, bindings: [entry(other.address)] });
  });
  afterAll(async () => {
    otherClient?.close();
    if (other) await stopProcess(other.process);
    await stack?.stop();
  });

  it('starts each world on the module its entry binding names, through one gateway', async () => {
    const socket = await connect(stack.gateway.url, { token: token('alice') });
    try {
      for (const worldId of ['arena', 'tag'])
        await expect(request(socket, 'world:join', { worldId })).resolves.toMatchObject({
          ok: true,
        });
      expect([await runs(defaultClient, 'arena'), await runs(otherClient, 'arena')]).toEqual([
        true,
        false,
      ]);
      expect([await runs(defaultClient, 'tag'), await runs(otherClient, 'tag')]).toEqual([
        false,
        true,
      ]);
      const ack = await request(socket, 'cmd', { seq: 1, worldId: 'tag', type: 'move', dx: 1 });
      expect(ack).toMatchObject({ ok: true, seq: 1 });
    } finally {
      socket.close();
    }
  });

  it("follows a world whose game now binds another module: the joined player's next command goes there", async () => {
    const socket = await connect(stack.gateway.url, { token: token('bob') });
    try {
      await expect(request(socket, 'world:join', { worldId: 'tag' })).resolves.toMatchObject({
        ok: true,
      });
      // The control plane binds the world to the module at the default address instead.
      await registerWorld(stack.storage, 'tag', 'Ready', [
        entry(stack.engines.interaction.address),
      ]);
      let seq = 1;
      await pollUntil(
        async () => {
          const ack = await request<{ ok: boolean }>(socket, 'cmd', {
            seq: ++seq,
            worldId: 'tag',
            type: 'move',
            dx: -1,
          });
          return ack.ok && (await runs(defaultClient, 'tag'));
        },
        30_000,
        'a command accepted by the newly bound module',
        250,
      );
      // The module now serving the world knows the player (put back on its first command).
      const moved = await request(socket, 'cmd', { seq: ++seq, worldId: 'tag', type: 'jump' });
      expect(moved).toMatchObject({ ok: true });
    } finally {
      socket.close();
    }
  });
});
