// The interaction engine is down: joins are answered ENGINE_UNAVAILABLE, nothing else breaks.
import type { RunningGateway } from '../src/bootstrap';
import { connect, request, token } from '../src/testing/clients';
import { freePort, pollUntil } from '../src/testing/engines';
import { memoryStorage, registerWorld, startGateway } from '../src/testing/gateway';

jest.setTimeout(120_000);

describe('engine unavailable', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    const storage = await memoryStorage();
    await registerWorld(storage, 'arena');
    gateway = await startGateway(
      { INTERACTION_ENGINE_ADDRESS: `127.0.0.1:${await freePort()}`, ENGINE_DEADLINE_MS: '500' },
      { storage },
    );
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.storage.close();
  });

  it('answers ENGINE_UNAVAILABLE, keeps the connection, and closes the session it opened', async () => {
    const socket = await connect(gateway.url, { token: token('alice') });
    await expect(request(socket, 'world:join', { worldId: 'arena' })).resolves.toMatchObject({
      ok: false,
      code: 'ENGINE_UNAVAILABLE',
    });
    expect(socket.connected).toBe(true);
    await expect(request(socket, 'world:join', { worldId: 'arena' })).resolves.toMatchObject({
      ok: false,
      code: 'ENGINE_UNAVAILABLE',
    });
    await pollUntil(
      async () => (await gateway.storage.sessions.listOpen('arena')).length === 0,
      30_000,
      'sessions to close',
    );
    socket.close();
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
  });
});
