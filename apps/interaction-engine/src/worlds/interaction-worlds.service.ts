import { Logger } from '@nestjs/common';
import {
  CapacityError,
  EngineError,
  EngineErrorCode,
  EngineUnavailableError,
  InvalidCommandError,
  UNNAMED_CALLER,
  UnsupportedCommandError,
  WorldNotFoundError,
  WorldQuota,
  boundAddress,
  commandToWire,
  isUnknownWorldError,
  worldSettingsToWire,
  isPlayerCommand,
  worldSettingsFromWire,
  type EngineClient,
  type EngineCommand,
  type InitResponse,
  type SnapshotResponse,
  type TickResponse,
  type WorldBinding,
  type WorldConfig,
} from '@anvil/engine-contract';
import type { Clock } from '@anvil/runtime';
import type { InteractionConfig } from '../config/interaction-config';
import { WorldRules } from '../rules/world-rules';
import { decodeRulesState, encodeRulesState, sha256 } from '../rules/rules-state';
import type { InteractionEvents } from './interaction-events';
import type { PhysicsClients } from './physics-clients';

/** The capability the interaction engine requires of a physics engine. */
export const PHYSICS_CAPABILITY = 'physics.simulation';

/** What the service needs: the physics engine clients, the event publisher, config and time. */
export interface InteractionDeps {
  physics: PhysicsClients;
  events: InteractionEvents;
  config: InteractionConfig;
  /** Monotonic time (tests control cooldowns and rate limits). */
  clock: Clock;
}

interface WorldEntry {
  rules: WorldRules;
  /** The physics engine the world's binding names. */
  physics: EngineClient;
  /** Serialises this world's commands so validation always sees committed state. */
  queue: Promise<unknown>;
  /** Commands in `queue` not yet settled (bounded by MAX_QUEUED_COMMANDS_PER_WORLD). */
  queued: number;
  /** The latest physics tick this engine has heard of. */
  tick: number;
}

/**
 * The interaction engine's worlds: game rules in front of the physics engine. What it keeps is
 * bounded: worlds by the world quota (MAX_WORLDS, MAX_WORLDS_PER_CALLER), each world's queued
 * commands (MAX_QUEUED_COMMANDS_PER_WORLD) and its players (the rules); CloseWorld frees a world.
 */
export class InteractionWorldsService {
  private readonly logger = new Logger('InteractionWorlds');
  private readonly worlds = new Map<string, WorldEntry>();
  private readonly quota: WorldQuota;

  constructor(private readonly deps: InteractionDeps) {
    this.quota = new WorldQuota(deps.config.limits);
  }

  /**
   * Inits the world (idempotent) on the physics engine its bindings name for this module (the
   * configured one when they name none), and sets up its rules. A later Init whose binding
   * names another physics engine moves the world's commands there.
   */
  async init(
    worldId: string,
    config: WorldConfig | undefined,
    bindings?: readonly WorldBinding[],
    caller = UNNAMED_CALLER,
  ): Promise<InitResponse> {
    const reserved = !this.quota.holds(worldId);
    if (reserved) this.quota.reserve(caller, worldId);
    try {
      return await this.initHeld(worldId, config, bindings);
    } catch (error) {
      if (reserved && !this.worlds.has(worldId)) this.quota.release(worldId);
      throw error;
    }
  }

  private async initHeld(
    worldId: string,
    config: WorldConfig | undefined,
    bindings?: readonly WorldBinding[],
  ): Promise<InitResponse> {
    const { physics: clients, config: own } = this.deps;
    const address = boundAddress(bindings, own.module, PHYSICS_CAPABILITY, clients.defaultAddress);
    const physics = clients.get(address);
    const response = await physics.init({ worldId, config }).catch(asDependencyError);
    const settings = worldSettingsFromWire(response.config, Number.MAX_SAFE_INTEGER);
    const existing = this.worlds.get(worldId);
    if (!existing)
      this.worlds.set(worldId, {
        rules: new WorldRules(settings, this.deps.config.rules),
        physics,
        queue: Promise.resolve(),
        queued: 0,
        tick: response.tick,
      });
    else if (existing.physics !== physics) {
      this.logger.log(`world ${worldId}: its physics binding moved to ${address}`);
      existing.physics = physics;
    }
    return { ...response, created: response.created || !existing };
  }

  /** Validates a player command, sends its physics intent, then commits and publishes its event. */
  apply(worldId: string, command: EngineCommand): Promise<{ applyTick: number; entityId: string }> {
    if (command.type === 'module') {
      throw new InvalidCommandError(
        `unknown module command type "${command.moduleType}": the interaction engine has none`,
      );
    }
    if (!isPlayerCommand(command)) {
      throw new UnsupportedCommandError(
        `the interaction engine takes player commands; "${command.type}" is a physics intent`,
      );
    }
    const world = this.get(worldId);
    const limit = this.deps.config.limits.maxQueuedCommandsPerWorld;
    if (world.queued >= limit) {
      throw new CapacityError(
        `world "${worldId}" has ${limit} commands waiting (MAX_QUEUED_COMMANDS_PER_WORLD)`,
      );
    }
    const run = async () => {
      const plan = world.rules.plan(command, this.deps.clock.now());
      let applyTick = world.tick + 1;
      if (plan.intent) {
        const intent = commandToWire(plan.intent);
        try {
          const response = await this.onPhysics(worldId, world, (physics) =>
            physics.applyCommand({ worldId, command: intent }),
          );
          applyTick = response.applyTick;
          world.tick = Math.max(world.tick, applyTick - 1);
        } catch (error) {
          const kept = error instanceof EngineError && error.code === EngineErrorCode.AlreadyExists;
          if (!(plan.adoptsExistingBody && kept)) throw error;
          this.logger.log(`world ${worldId}: ${plan.entityId} is still in physics; taken back`);
        }
      }
      plan.commit();
      if (plan.event) await this.deps.events.publish(worldId, applyTick, plan.event);
      return { applyTick, entityId: plan.entityId };
    };
    world.queued++;
    const result = world.queue.then(run, run);
    world.queue = result.catch(() => undefined).finally(() => world.queued--);
    return result;
  }

  /** Forwards Tick to the physics engine (manual mode). */
  async tick(worldId: string, targetTick: number): Promise<TickResponse> {
    const world = this.get(worldId);
    const response = await this.onPhysics(worldId, world, (p) => p.tick({ worldId, targetTick }));
    world.tick = Math.max(world.tick, response.tick);
    return response;
  }

  /** The world's rules state (the engine's own opaque state) with the physics bodies and tick. */
  async snapshot(worldId: string): Promise<SnapshotResponse> {
    const world = this.get(worldId);
    const physics = await this.onPhysics(worldId, world, (p) => p.snapshot({ worldId }));
    const state = encodeRulesState(world.rules.settings, world.rules.list());
    return { worldId, tick: physics.tick, stateHash: sha256(state), state, bodies: physics.bodies };
  }

  /** Replaces (or creates) a world's rules from snapshot state; restore physics separately. */
  restore(
    worldId: string,
    stateBytes: Uint8Array,
    stateHash: string,
    caller = UNNAMED_CALLER,
  ): { tick: number; stateHash: string } {
    if (stateHash && stateHash !== sha256(stateBytes))
      throw new InvalidCommandError('state_hash does not match sha256(state)');
    const state = decodeRulesState(stateBytes);
    const { maxPlayersPerWorld } = this.deps.config.rules;
    if (state.players.length > maxPlayersPerWorld) {
      throw new InvalidCommandError(
        `state holds ${state.players.length} players, over MAX_PLAYERS_PER_WORLD (${maxPlayersPerWorld})`,
      );
    }
    const reserved = !this.quota.holds(worldId);
    if (reserved) this.quota.reserve(caller, worldId);
    let rules: WorldRules;
    try {
      rules = new WorldRules(state.settings, this.deps.config.rules, state.players);
    } catch (error) {
      if (reserved && !this.worlds.has(worldId)) this.quota.release(worldId);
      throw error;
    }
    const previous = this.worlds.get(worldId);
    this.worlds.set(worldId, {
      rules,
      physics: previous?.physics ?? this.deps.physics.get(),
      queue: previous?.queue ?? Promise.resolve(),
      queued: 0,
      tick: previous?.tick ?? 0,
    });
    const encoded = encodeRulesState(rules.settings, rules.list());
    return { tick: previous?.tick ?? 0, stateHash: sha256(encoded) };
  }

  /**
   * Removes a world here and on its physics engine (the configured one when this engine does
   * not know the world, e.g. after a restart). Commands already queued settle first; later ones
   * find no world. True when either engine ran it.
   */
  async close(worldId: string): Promise<boolean> {
    const world = this.worlds.get(worldId);
    if (world) {
      this.worlds.delete(worldId);
      this.quota.release(worldId);
      await world.queue;
    }
    const physics = world?.physics ?? this.deps.physics.get();
    const { closed } = await physics.closeWorld({ worldId }).catch(asDependencyError);
    return closed || world !== undefined;
  }

  /** Commands of a world waiting for their turn or for the physics engine (0 for no world). */
  queuedCommands(worldId: string): number {
    return this.worlds.get(worldId)?.queued ?? 0;
  }

  /** Worlds this engine runs. */
  get size(): number {
    return this.worlds.size;
  }

  /** The rules state hash of a world (tests: "nothing changed"). */
  stateHash(worldId: string): string {
    const { rules } = this.get(worldId);
    return sha256(encodeRulesState(rules.settings, rules.list()));
  }

  /**
   * Calls the world's physics engine; when it answers that it does not run the world (it
   * restarted), Inits the world there again, which restores its latest checkpoint, and retries
   * once. A command is never applied twice: an unknown world applied nothing.
   */
  private async onPhysics<T>(
    worldId: string,
    world: WorldEntry,
    call: (physics: EngineClient) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(world.physics);
    } catch (error) {
      if (!isUnknownWorldError(error)) return asDependencyError(error);
      this.logger.warn(`world ${worldId}: the physics engine lost it; starting it there again`);
      const config = worldSettingsToWire(world.rules.settings);
      const restored = await world.physics.init({ worldId, config }).catch(asDependencyError);
      world.tick = restored.tick;
      return call(world.physics).catch(asDependencyError);
    }
  }

  private get(worldId: string): WorldEntry {
    const world = this.worlds.get(worldId);
    if (!world) throw new WorldNotFoundError(worldId);
    return world;
  }
}

/**
 * Rethrows a physics engine's answer for this engine's caller. A physics engine refusing this
 * engine's token is a deployment fault, not the caller's: UNAVAILABLE, not UNAUTHENTICATED.
 */
function asDependencyError(error: unknown): never {
  if (error instanceof EngineError && error.code === EngineErrorCode.Unauthenticated) {
    throw new EngineUnavailableError(
      `the physics engine refused this engine's ENGINE_TOKEN: ${error.message}`,
      { cause: error },
    );
  }
  throw error;
}
