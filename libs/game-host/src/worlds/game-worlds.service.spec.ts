import { EVENT_TYPES, InMemoryBus, worldTopic, type BusMessage } from '@anvil/bus';
import type { PlayerCommand } from '@anvil/engine-contract';
import { InteractionEvents } from '../events/interaction-events';
import { GameWorldsService } from './game-worlds.service';
import { counting, countingConfig, fakePhysics } from './test-support';

describe('GameWorldsService', () => {
  let bus: InMemoryBus;
  let received: BusMessage[];
  let physics: ReturnType<typeof fakePhysics>;
  let worlds: GameWorldsService;
  let events: InteractionEvents;

  beforeEach(async () => {
    bus = new InMemoryBus();
    received = [];
    await bus.subscribe(
      { topic: worldTopic('interaction'), group: 't', fromBeginning: true },
      async (m) => void received.push(m),
    );
    physics = fakePhysics();
    events = new InteractionEvents(
      bus,
      (error) => {
        throw error;
      },
      { source: '/anvil/counting' },
    );
    worlds = new GameWorldsService({
      rules: counting,
      label: 'the counting game',
      physics: physics.clients,
      events,
      config: countingConfig,
      clock: { now: () => 0 },
    });
  });
  afterEach(() => bus.close());

  const states = async (n: number) => {
    await events.flush();
    for (let i = 0; i < 200 && received.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    return received
      .filter((m) => m.event.type === EVENT_TYPES.gameState)
      .map((m) => (m.event.data as { state: unknown }).state);
  };
  const interact = (targetId: string): PlayerCommand => ({
    type: 'interact',
    playerId: 'a',
    targetId,
  });

  it('publishes the game state after each Init, with the module name', async () => {
    await worlds.init('w', undefined);
    await worlds.init('w', undefined);
    expect(await states(2)).toEqual([{ count: 0 }, { count: 0 }]);
    expect(received[0].event).toMatchObject({
      source: '/anvil/counting',
      subject: 'w',
      tick: 2,
      data: { worldId: 'w', module: 'counting-game' },
    });
  });

  it('takes an Init without a config for the world as it runs (a gateway sends none), and refuses another config', async () => {
    const config = { widthMm: 90_000, heightMm: 20_000, gravityYMmS2: 0, maxBodies: 50 };
    await worlds.init('w', config);
    await expect(worlds.init('w', undefined)).resolves.toMatchObject({
      created: false,
      config: { widthMm: 90_000, maxBodies: 50 },
    });
    await expect(worlds.init('w', { ...config, widthMm: 10_000 })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('publishes the state once after a batch that changed it, and nothing after one that did not', async () => {
    await worlds.init('w', undefined);
    await Promise.all([worlds.apply('w', interact('b')), worlds.apply('w', interact('b'))]);
    await worlds.apply('w', { type: 'jump', playerId: 'a' });
    expect(await states(2)).toEqual([{ count: 0 }, { count: 2 }]);
    expect(received[1].event.tick).toBe(4);
  });

  it('plans the commands that need positions with the bodies of one physics Snapshot per batch', async () => {
    await worlds.init('w', undefined);
    await worlds.apply('w', { type: 'jump', playerId: 'a' });
    expect(physics.state.snapshots).toBe(0);
    await Promise.all([worlds.apply('w', interact('b')), worlds.apply('w', interact('c'))]);
    expect(physics.state.snapshots).toBe(1);
    expect(worlds.publicState('w')).toEqual({ count: 2 });
  });

  it('refuses only the commands that need positions when the physics engine cannot give them', async () => {
    await worlds.init('w', undefined);
    physics.state.snapshotFails = true;
    const [tag, jump] = await Promise.allSettled([
      worlds.apply('w', interact('b')),
      worlds.apply('w', { type: 'jump', playerId: 'a' }),
    ]);
    expect(tag).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE' } });
    expect(jump).toMatchObject({ status: 'fulfilled' });
    expect(worlds.publicState('w')).toEqual({ count: 0 });
  });

  it('Restore publishes the restored state; a state the game refuses changes nothing', async () => {
    await worlds.init('w', undefined);
    const before = worlds.stateHash('w');
    await expect(worlds.restore('w', Buffer.from('{"other":1}'), '')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(worlds.stateHash('w')).toBe(before);
    await worlds.restore('w', Buffer.from('{"count":5}'), '');
    expect(await states(2)).toEqual([{ count: 0 }, { count: 5 }]);
  });
});
