import { EVENT_TYPES, InMemoryBus, worldTopic, type BusMessage } from '@anvil/bus';
import {
  EngineUnavailableError,
  InvalidCommandError,
  type BodyState,
  type CommandStreamClient,
  type EngineClient,
  type PlayerCommand,
  type WorldSettings,
} from '@anvil/engine-contract';
import { InteractionEvents } from '../events/interaction-events';
import { PhysicsClients } from '../physics/physics-clients';
import type { BodyPositions, GameRules, GameRulesFactory } from '../rules/game-rules';
import { GameWorldsService } from './game-worlds.service';

/** A game that counts interacts, each with the x of the target's body it was planned with. */
class CountingRules implements GameRules {
  count = 0;
  seen: Array<number | undefined> = [];
  constructor(readonly settings: WorldSettings) {}
  needsPositions = (command: PlayerCommand) => command.type === 'interact';
  plan(command: PlayerCommand, _now: number, positions?: BodyPositions) {
    if (command.type === 'jump') return { entityId: 'p:x', commit: () => undefined };
    if (command.type !== 'interact') throw new InvalidCommandError('only interact and jump');
    return {
      entityId: `p:${command.targetId}`,
      commit: () => {
        this.count++;
        this.seen.push(positions?.get(`p:${command.targetId}`)?.xMm);
      },
    };
  }
  list = () => [];
  encodeState = () => Buffer.from(JSON.stringify({ count: this.count }));
  publicState = () => ({ count: this.count });
}

const counting: GameRulesFactory = {
  create: (settings) => new CountingRules(settings),
  restore: (bytes) => {
    const { count } = JSON.parse(Buffer.from(bytes).toString()) as { count?: unknown };
    if (!Number.isInteger(count)) throw new InvalidCommandError('not a counting state');
    const rules = new CountingRules({
      widthMm: 40_000,
      heightMm: 20_000,
      gravityYMmS2: 0,
      maxBodies: 100,
    });
    rules.count = count as number;
    return rules;
  },
};

const body = (bodyId: string, xMm: number): BodyState => ({
  bodyId,
  kind: 1,
  shape: 1,
  halfWidthMm: 300,
  halfHeightMm: 300,
  xMm,
  yMm: 300,
  angleMrad: 0,
  vxMmS: 0,
  vyMmS: 0,
});

/** A physics engine that answers at once; `snapshotFails` makes its Snapshot UNAVAILABLE. */
function fakePhysics() {
  const state = { snapshots: 0, snapshotFails: false };
  const calls = {
    init: async ({ worldId }: { worldId: string }) => ({
      worldId,
      tick: 2,
      stateHash: '',
      created: true,
      config: { widthMm: 40_000, heightMm: 20_000, gravityYMmS2: 0, maxBodies: 100 },
      tickHz: 0,
    }),
    snapshot: async ({ worldId }: { worldId: string }) => {
      state.snapshots++;
      if (state.snapshotFails) throw new EngineUnavailableError('physics is down');
      return {
        worldId,
        tick: 3,
        stateHash: '',
        state: Buffer.alloc(0),
        bodies: [body('p:b', 1234)],
      };
    },
    closeWorld: async ({ worldId }: { worldId: string }) => ({ worldId, closed: true }),
    close: () => undefined,
  };
  const commands = {
    submit: async () => ({ applyTick: 4, entityId: '' }),
    close: () => undefined,
  };
  const clients = new PhysicsClients('127.0.0.1:1', () => ({
    calls: calls as unknown as EngineClient,
    commands: commands as unknown as CommandStreamClient,
  }));
  return { clients, state };
}

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
      config: {
        module: 'counting-game',
        physics: { address: '127.0.0.1:1', deadlineMs: 1_000 },
        limits: {
          maxWorlds: 4,
          maxWorldsPerCaller: 4,
          maxCallsPerSecond: 100,
          maxQueuedCommandsPerWorld: 16,
        },
      } as never,
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
