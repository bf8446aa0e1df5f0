// A game and a physics engine for the game host's unit tests.
import {
  AlreadyExistsError,
  EngineUnavailableError,
  InvalidCommandError,
  SenderFence,
  type BodyState,
  type CommandStreamClient,
  type EngineClient,
  type PlayerCommand,
  type SenderLease,
  type WorldConfig,
  type WorldSettings,
  sameWorldSettings,
  worldSettingsFromWire,
  worldSettingsToWire,
} from '@anvil/engine-contract';
import type { GameHostConfig } from '../config/game-host-config';
import { PhysicsClients } from '../physics/physics-clients';
import type { BodyPositions, GameRules, GameRulesFactory } from '../rules/game-rules';

/** A game that counts interacts, each with the x of the target's body it was planned with. */
export class CountingRules implements GameRules {
  count = 0;
  seen: Array<number | undefined> = [];
  constructor(readonly settings: WorldSettings) {}
  needsPositions = (command: PlayerCommand) => command.type === 'interact';
  plan(command: PlayerCommand, _now: number, positions?: BodyPositions) {
    if (command.type === 'jump') {
      const intent = { type: 'setVelocity' as const, bodyId: 'p:x', vyMmS: 1_000 };
      return { entityId: 'p:x', intent, commit: () => undefined };
    }
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

export const counting: GameRulesFactory = {
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

/** What the fake physics engine makes of an Init without a config. */
const DEFAULT_CONFIG = { widthMm: 40_000, heightMm: 20_000, gravityYMmS2: 0, maxBodies: 100 };

/**
 * A physics engine that answers at once (Init once `initGate` settles, `created` on a world's
 * first Init only, as a physics engine restores one it ran before); `snapshotFails` makes its
 * Snapshot UNAVAILABLE. Its calls are fenced by the caller's lease as a physics engine's are.
 */
export function fakePhysics() {
  const worlds = new Set<string>();
  const state = {
    snapshots: 0,
    snapshotFails: false,
    /** Init answers once this settles (a slow physics engine). */
    initGate: Promise.resolve(),
    /** The lease epoch of each Init and command physics admitted (0: none), in order. */
    senders: [] as Array<{ worldId: string; epoch: number }>,
  };
  // Each world's fence, as a physics engine keeps it: a stale sender's calls are refused.
  const fences = new Map<string, SenderFence>();
  const configs = new Map<string, WorldSettings>();
  const fence = (worldId: string, sender?: SenderLease) => {
    const world = fences.get(worldId) ?? new SenderFence(worldId);
    fences.set(worldId, world);
    world.admit(sender);
    state.senders.push({ worldId, epoch: sender?.epoch ?? 0 });
  };
  const calls = {
    init: async ({
      worldId,
      config,
      sender,
    }: {
      worldId: string;
      config?: WorldConfig;
      sender?: SenderLease;
    }) => {
      await state.initGate;
      // As physics: a world exists with one config (none is the defaults); another is refused.
      const given = worldSettingsFromWire(config ?? DEFAULT_CONFIG, 100);
      const running = configs.get(worldId) ?? given;
      if (!sameWorldSettings(running, given))
        throw new AlreadyExistsError(`world "${worldId}" exists with a different config`);
      configs.set(worldId, running);
      fence(worldId, sender);
      const created = !worlds.has(worldId);
      worlds.add(worldId);
      return {
        worldId,
        tick: 2,
        stateHash: '',
        created,
        config: worldSettingsToWire(running),
        tickHz: 0,
      };
    },
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
    submit: async (worldId: string, _c: unknown, _t: string, _k: string, sender?: SenderLease) => {
      fence(worldId, sender);
      return { applyTick: 4, entityId: '' };
    },
    close: () => undefined,
  };
  const clients = new PhysicsClients('127.0.0.1:1', () => ({
    calls: calls as unknown as EngineClient,
    commands: commands as unknown as CommandStreamClient,
  }));
  return { clients, state };
}

/** The counting game's host config (module counting-game, 4 worlds, 16 queued commands). */
export const countingConfig = {
  module: 'counting-game',
  physics: { address: '127.0.0.1:1', deadlineMs: 1_000 },
  limits: {
    maxWorlds: 4,
    maxWorldsPerCaller: 4,
    maxCallsPerSecond: 100,
    maxQueuedCommandsPerWorld: 16,
  },
} as unknown as GameHostConfig;
