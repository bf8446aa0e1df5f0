import { EVENT_TYPES, InMemoryBus, worldTopic, type BusMessage } from '@anvil/bus';
import {
  AlreadyExistsError,
  EngineUnavailableError,
  EntityNotFoundError,
  InvalidCommandError,
  commandFromWire,
  playerBodyId,
  type ApplyCommandResponse,
  type Command,
  type CommandStreamClient,
  type EngineClient,
  type PlayerCommand,
  type WorldSettings,
} from '@anvil/engine-contract';
import { InteractionEvents } from '../events/interaction-events';
import { PhysicsClients } from '../physics/physics-clients';
import type { CommandPlan, GameRules, GameRulesFactory } from '../rules/game-rules';
import { GameWorldsService } from './game-worlds.service';

/** Players who join (a body each) and move: enough rules to plan intents. */
class JoinRules implements GameRules {
  readonly players = new Set<string>();
  plans = 0;
  constructor(readonly settings: WorldSettings) {}
  plan(command: PlayerCommand): CommandPlan {
    this.plans++;
    const bodyId = playerBodyId(command.playerId);
    if (command.type === 'move') {
      if (!this.players.has(command.playerId))
        throw new EntityNotFoundError('player', command.playerId);
      return {
        intent: { type: 'setVelocity', bodyId, vxMmS: Math.round(command.dx * 1000) },
        entityId: bodyId,
        commit: () => undefined,
      };
    }
    if (command.type !== 'join') throw new InvalidCommandError('join or move');
    if (this.players.has(command.playerId)) throw new AlreadyExistsError('already joined');
    return {
      intent: {
        type: 'spawnBody',
        body: {
          id: bodyId,
          kind: 'dynamic',
          shape: 'ball',
          halfWidthMm: 300,
          halfHeightMm: 300,
          // Where a module that lost its memory spawns a player differs: physics keeps the first.
          xMm: 1_000 + 1_000 * this.players.size,
          yMm: 900,
          vxMmS: 0,
          vyMmS: 0,
          lockRotation: true,
        },
      },
      entityId: bodyId,
      event: { kind: 'joined', playerId: command.playerId, bodyId },
      adoptsExistingBody: true,
      commit: () => void this.players.add(command.playerId),
      revert: () => void this.players.delete(command.playerId),
    };
  }
  list = () =>
    [...this.players].sort().map((playerId) => ({ playerId, bodyId: playerBodyId(playerId) }));
  encodeState = () => Buffer.from(JSON.stringify([...this.players].sort()));
  publicState = () => undefined;
}

/**
 * A physics engine that applies each key once, as the real one does: a repeated key is answered
 * with the first result. `loseNextAnswer` applies the next intent but answers UNAVAILABLE (its
 * owner died with the answer in flight).
 */
function keyedPhysics() {
  const state = {
    tick: 10,
    bodies: new Set<string>(),
    applied: [] as Array<{ command: Command; key: string }>,
    keys: new Map<string, ApplyCommandResponse>(),
    loseNextAnswer: false,
  };
  const calls = {
    init: async ({ worldId }: { worldId: string }) => ({
      worldId,
      tick: state.tick,
      stateHash: '',
      created: true,
      config: { widthMm: 40_000, heightMm: 20_000, gravityYMmS2: 0, maxBodies: 100 },
      tickHz: 0,
    }),
    close: () => undefined,
  };
  const commands = {
    submit: async (worldId: string, command: Command, _traceparent = '', key = '') => {
      const known = key ? state.keys.get(key) : undefined;
      if (known) return known;
      const intent = commandFromWire(command);
      const bodyId =
        intent.type === 'spawnBody' ? intent.body.id : 'bodyId' in intent ? intent.bodyId : '';
      if (intent.type === 'spawnBody') {
        if (state.bodies.has(bodyId)) throw new AlreadyExistsError(`body "${bodyId}" exists`);
        state.bodies.add(bodyId);
      } else if (!state.bodies.has(bodyId)) throw new EntityNotFoundError('body', bodyId);
      state.applied.push({ command, key });
      const answer = { worldId, applyTick: ++state.tick, entityId: bodyId };
      if (key) state.keys.set(key, answer);
      if (state.loseNextAnswer) {
        state.loseNextAnswer = false;
        throw new EngineUnavailableError('the physics owner died; the outcome is unknown');
      }
      return answer;
    },
    close: () => undefined,
  };
  const clients = () =>
    new PhysicsClients('127.0.0.1:1', () => ({
      calls: calls as unknown as EngineClient,
      commands: commands as unknown as CommandStreamClient,
    }));
  return { state, clients };
}

describe('idempotency keys in a game module', () => {
  let bus: InMemoryBus;
  let received: BusMessage[];
  let physics: ReturnType<typeof keyedPhysics>;
  let rules: JoinRules[];

  const factory: GameRulesFactory = {
    create: (settings) => {
      const created = new JoinRules(settings);
      rules.push(created);
      return created;
    },
    restore: () => {
      throw new InvalidCommandError('not used');
    },
  };

  /** A game module's worlds: a new one is a module that restarted (it remembers nothing). */
  const module = () =>
    new GameWorldsService({
      rules: factory,
      label: 'the join game',
      physics: physics.clients(),
      events: new InteractionEvents(
        bus,
        (error) => {
          throw error;
        },
        { source: '/anvil/join-game' },
      ),
      config: {
        module: 'join-game',
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
  const join = (playerId: string): PlayerCommand => ({ type: 'join', playerId });
  const joinedEvents = async (n: number) => {
    for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    return received.filter((m) => m.event.type === EVENT_TYPES.playerJoined);
  };

  beforeEach(async () => {
    bus = new InMemoryBus();
    received = [];
    rules = [];
    physics = keyedPhysics();
    await bus.subscribe(
      { topic: worldTopic('interaction'), group: 't', fromBeginning: true },
      async (m) => void received.push(m),
    );
  });
  afterEach(() => bus.close());

  it('applies a retried keyed command once: the first answer, planned once, one intent carrying the key', async () => {
    const worlds = module();
    await worlds.init('w', undefined);
    // The same command twice in one turn (one batch), then once more later.
    const [first, again] = await Promise.all([
      worlds.apply('w', join('ann'), '', 'gw:ann:1'),
      worlds.apply('w', join('ann'), '', 'gw:ann:1'),
    ]);
    const later = await worlds.apply('w', join('ann'), '', 'gw:ann:1');
    expect(first).toEqual({ applyTick: 11, entityId: 'p:ann' });
    expect([again, later]).toEqual([first, first]);
    expect(rules[0].plans).toBe(1);
    expect(physics.state.applied.map((a) => a.key)).toEqual(['gw:ann:1']);
    expect(await joinedEvents(1)).toHaveLength(1);
    // Without a key a second join is a new command, refused by the rules.
    await expect(worlds.apply('w', join('ann'))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('forgets the key of a refused command: sent again, it is planned again (and physics applies it once)', async () => {
    const worlds = module();
    await worlds.init('w', undefined);
    physics.state.loseNextAnswer = true;
    await expect(worlds.apply('w', join('bob'), '', 'gw:bob:1')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    // The join was reverted here, but physics applied it: the retry is answered from its key.
    expect(rules[0].players.has('bob')).toBe(false);
    await expect(worlds.apply('w', join('bob'), '', 'gw:bob:1')).resolves.toEqual({
      applyTick: 11,
      entityId: 'p:bob',
    });
    expect(rules[0].players.has('bob')).toBe(true);
    expect(rules[0].plans).toBe(2);
    expect(physics.state.applied).toHaveLength(1);
    await expect(
      worlds.apply('w', { type: 'move', playerId: 'bob', dx: 1, dy: 0 }),
    ).resolves.toMatchObject({ entityId: 'p:bob' });
  });

  it('a module that restarted plans a retried join anew and commits it when physics already applied its key', async () => {
    const first = module();
    await first.init('w', undefined);
    const answer = await first.apply('w', join('cy'), '', 'gw:cy:1');
    // The module restarts (its rules and keys are gone); physics kept the world and the key.
    const second = module();
    await second.init('w', undefined);
    await expect(second.apply('w', join('cy'), '', 'gw:cy:1')).resolves.toEqual(answer);
    expect(rules[1].players.has('cy')).toBe(true);
    expect(physics.state.applied).toHaveLength(1);
    await expect(
      second.apply('w', { type: 'move', playerId: 'cy', dx: 1, dy: 0 }),
    ).resolves.toMatchObject({ entityId: 'p:cy' });
    // A key physics no longer remembers: the body it has is taken back, as without keys.
    physics.state.keys.clear();
    const third = module();
    await third.init('w', undefined);
    await expect(third.apply('w', join('cy'), '', 'gw:cy:1')).resolves.toMatchObject({
      entityId: 'p:cy',
    });
    expect(rules[2].players.has('cy')).toBe(true);
    expect(physics.state.applied).toHaveLength(2); // the move
  });
});
