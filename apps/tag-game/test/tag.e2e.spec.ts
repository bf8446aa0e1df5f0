// The tag game end to end: its whole Nest app serving gRPC in this process, in front of a real
// physics engine process (@anvil/game-host/testing), driven through the contract's typed client:
// "it" passes between two players once one walked up to the other, with its events and game
// state on the interaction topic, and every bad tag answered with its code.
import { EVENT_TYPES, InMemoryBus, worldTopic, type BusMessage } from '@anvil/bus';
import {
  EngineClient,
  EngineErrorCode,
  commandToWire,
  playerBodyId,
  type PlayerCommand,
} from '@anvil/engine-contract';
import { startPhysics, type PhysicsProcess } from '@anvil/game-host/testing';
import { TAG_SOURCE, bootstrap, type RunningTagGame } from '../src/bootstrap';
import { loadTagConfig } from '../src/config/tag-config';
import { TAGGED_EVENT_TYPE } from '../src/rules/tagged-event';

const ENGINE_TOKEN = 'tag-e2e-engine-token-0123';
const access = { token: ENGINE_TOKEN, caller: 'e2e' };
const WORLD = 'yard';

// The physics engine process may take a while to serve on a busy machine.
jest.setTimeout(120_000);

describe('tag game over gRPC, in front of a physics engine process', () => {
  const bus = new InMemoryBus();
  const time = { now: 100_000 };
  const events: BusMessage[] = [];
  let physics: PhysicsProcess;
  let game: RunningTagGame;
  let client: EngineClient;
  let physicsClient: EngineClient;

  const send = (command: PlayerCommand) =>
    client.applyCommand({ worldId: WORLD, command: commandToWire(command) });
  /** Sends a command and ticks physics (manual ticks) to the tick it applies at. */
  const applied = async (command: PlayerCommand) => {
    const response = await send(command);
    await client.tick({ worldId: WORLD, targetTick: response.applyTick });
    return response;
  };
  const tag = (playerId: string, targetId: string) =>
    send({ type: 'interact', playerId, targetId });
  const ticks = async (n: number) => {
    const { tick } = await physicsClient.snapshot({ worldId: WORLD });
    await client.tick({ worldId: WORLD, targetTick: tick + n });
  };
  /** Centre-to-centre distance of two players' bodies, from the physics engine. */
  const distance = async (a: string, b: string) => {
    const { bodies } = await physicsClient.snapshot({ worldId: WORLD });
    const [p, q] = [a, b].map((id) => bodies.find((body) => body.bodyId === playerBodyId(id))!);
    return Math.hypot(p.xMm - q.xMm, p.yMm - q.yMm);
  };
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (error: unknown) => error as Error & { code: string },
    );
  const gameStates = () =>
    events
      .filter((m) => m.event.type === EVENT_TYPES.gameState)
      .map((m) => (m.event.data as { state: unknown }).state);

  beforeAll(async () => {
    physics = await startPhysics(ENGINE_TOKEN);
    game = await bootstrap({
      config: loadTagConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: physics.address,
      }),
      bus,
      clock: { now: () => time.now },
      logger: false,
    });
    client = new EngineClient(game.address, { deadlineMs: 5_000, access });
    physicsClient = new EngineClient(physics.address, { deadlineMs: 5_000, access });
    await bus.subscribe(
      { topic: worldTopic('interaction'), group: 'e2e', fromBeginning: true },
      async (message) => void events.push(message),
    );
  });

  afterAll(async () => {
    client?.close();
    physicsClient?.close();
    await game?.close();
    await physics?.stop();
    await bus.close();
  });

  it('Init starts the world and publishes its game state for joiners', async () => {
    await expect(client.init({ worldId: WORLD })).resolves.toMatchObject({ created: true });
    await waitFor(() => gameStates().length === 1);
    expect(events[0].event).toMatchObject({
      source: TAG_SOURCE,
      subject: WORLD,
      data: { worldId: WORLD, module: 'tag-game', state: { scores: {}, tags: 0 } },
    });
  });

  it('the first player to join is "it"; each join publishes the game state', async () => {
    await applied({ type: 'join', playerId: 'alice' });
    await applied({ type: 'join', playerId: 'bob' });
    await ticks(30); // both fall to the floor
    await waitFor(() => gameStates().length === 3);
    expect(gameStates().at(-1)).toEqual({ it: 'alice', scores: { alice: 0, bob: 0 }, tags: 0 });
  });

  it('a tag out of reach is refused with FAILED_PRECONDITION naming the distance', async () => {
    expect(await distance('alice', 'bob')).toBeGreaterThan(900);
    const error = await failure(tag('alice', 'bob'));
    expect(error).toMatchObject({ code: EngineErrorCode.FailedPrecondition });
    expect(error?.message).toMatch(/too far: \d+ mm, reach 900 mm/);
  });

  it('"it" walks up to the other player and tags: "it" passes, the tagger scores', async () => {
    await applied({ type: 'move', playerId: 'alice', dx: 2, dy: 0 });
    for (let i = 0; i < 60 && (await distance('alice', 'bob')) > 800; i++) await ticks(2);
    await applied({ type: 'move', playerId: 'alice', dx: 0, dy: 0 });
    expect(await distance('alice', 'bob')).toBeLessThanOrEqual(900);

    await expect(tag('alice', 'bob')).resolves.toMatchObject({ entityId: playerBodyId('bob') });
    await waitFor(() => events.some((m) => m.event.type === TAGGED_EVENT_TYPE));
    const tagged = events.find((m) => m.event.type === TAGGED_EVENT_TYPE)!;
    expect(tagged.key).toBe(WORLD);
    expect(tagged.event).toMatchObject({
      source: TAG_SOURCE,
      data: { worldId: WORLD, taggerId: 'alice', taggedId: 'bob' },
    });
    expect(tagged.event.id).toMatch(/^dev\.anvil\.tag\.tagged\.v1\/yard\/\d+\/1$/);
    await waitFor(() => JSON.stringify(gameStates().at(-1)).includes('"it":"bob"'));
    expect(gameStates().at(-1)).toEqual({ it: 'bob', scores: { alice: 1, bob: 0 }, tags: 1 });
    // The state event follows the tagged event on the world's partition.
    expect(events.indexOf(tagged)).toBeLessThan(events.length - 1);
  });

  it('no tag-back at once; after NO_TAG_BACK_MS "it" passes back', async () => {
    const error = await failure(tag('bob', 'alice'));
    expect(error).toMatchObject({ code: EngineErrorCode.FailedPrecondition });
    expect(error?.message).toMatch(/no tag-back/);
    time.now += 2_000;
    await expect(tag('bob', 'alice')).resolves.toMatchObject({ entityId: playerBodyId('alice') });
    expect(game.worlds.publicState(WORLD)).toEqual({
      it: 'alice',
      scores: { alice: 1, bob: 1 },
      tags: 2,
    });
  });

  describe('bad tags get a coded error and change nothing', () => {
    it.each([
      [
        'a tag from a player who is not "it"',
        'bob',
        'alice',
        EngineErrorCode.FailedPrecondition,
        /"bob" is not it: "alice" is/,
      ],
      ['a tag of oneself', 'alice', 'alice', EngineErrorCode.InvalidArgument, /cannot tag itself/],
      [
        'a tag of an unknown player',
        'alice',
        'mallory',
        EngineErrorCode.NotFound,
        /unknown player "mallory"/,
      ],
      [
        'a tag from an unknown player',
        'mallory',
        'alice',
        EngineErrorCode.NotFound,
        /unknown player "mallory"/,
      ],
    ])('%s', async (_name, from, to, code, message) => {
      const before = game.worlds.stateHash(WORLD);
      const error = await failure(tag(from, to));
      expect(error).toMatchObject({ code });
      expect(error?.message).toMatch(message);
      expect(game.worlds.stateHash(WORLD)).toBe(before);
    });
  });

  it('"it" leaving passes it to the lowest player id', async () => {
    await applied({ type: 'join', playerId: 'carol' });
    await applied({ type: 'leave', playerId: 'alice' });
    expect(game.worlds.publicState(WORLD)).toEqual({
      it: 'bob',
      scores: { bob: 1, carol: 0 },
      tags: 2,
    });
  });

  it('Snapshot state restores "it" and scores; an arena snapshot is refused with INVALID_ARGUMENT', async () => {
    const snapshot = await client.snapshot({ worldId: WORLD });
    await expect(
      client.restore({
        worldId: 'yard-copy',
        state: snapshot.state,
        stateHash: snapshot.stateHash,
      }),
    ).resolves.toMatchObject({ stateHash: snapshot.stateHash });
    expect(game.worlds.publicState('yard-copy')).toEqual(game.worlds.publicState(WORLD));

    const arena = Buffer.from(
      JSON.stringify({
        v: 1,
        settings: { widthMm: 40_000, heightMm: 20_000, gravityYMmS2: -9_810, maxBodies: 10_000 },
        players: [{ playerId: 'alice', bodyId: playerBodyId('alice') }],
      }),
    );
    const before = game.worlds.stateHash(WORLD);
    const error = await failure(client.restore({ worldId: WORLD, state: arena, stateHash: '' }));
    expect(error).toMatchObject({ code: EngineErrorCode.InvalidArgument });
    expect(error?.message).toMatch(/not a tag-game snapshot/);
    expect(game.worlds.stateHash(WORLD)).toBe(before);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
