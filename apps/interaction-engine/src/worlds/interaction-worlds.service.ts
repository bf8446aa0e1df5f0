import { Logger } from '@nestjs/common';
import {
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
  ownerAddressOf,
  worldSettingsToWire,
  isPlayerCommand,
  worldSettingsFromWire,
  type Command,
  type EngineCommand,
  type InitResponse,
  type SnapshotResponse,
  type TickResponse,
  type WorldBinding,
  type WorldConfig,
} from '@anvil/engine-contract';
import type { Clock } from '@anvil/runtime';
import type { InteractionConfig } from '../config/interaction-config';
import { WorldRules, type CommandPlan } from '../rules/world-rules';
import { decodeRulesState, encodeRulesState, sha256 } from '../rules/rules-state';
import type { InteractionEvents } from './interaction-events';
import type { PhysicsClients, PhysicsEngine } from './physics-clients';
import { WorldCommandQueue, type QueuedCommand } from './world-command-queue';

/**
 * How long finding a world again may take when its physics replica is unreachable: longer than
 * a lease (WORLD_LEASE_TTL_MS, 1.5 s by default) plus a takeover round, so the world is found
 * on its new owner; meanwhile its commands wait (bounded by MAX_QUEUED_COMMANDS_PER_WORLD).
 */
export const REROUTE_DEADLINE_MS = 5_000;

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
  /** The physics replica that owns the world, as last learned (calls go there). */
  physics: PhysicsEngine;
  /** The physics engine the world's binding names (a Service in a cluster): asked when the owner is gone. */
  bound: PhysicsEngine;
  /** Commands waiting for their batch or its answer (bounded by MAX_QUEUED_COMMANDS_PER_WORLD). */
  commands: WorldCommandQueue;
  /** The latest physics tick this engine has heard of. */
  tick: number;
  /** The Init that puts the world back on a physics engine that lost it, while one runs. */
  reinit?: Promise<unknown>;
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
    const bound = clients.get(address);
    const { response, physics } = await this.initFollowing(worldId, config, bound);
    const settings = worldSettingsFromWire(response.config, Number.MAX_SAFE_INTEGER);
    const existing = this.worlds.get(worldId);
    if (!existing)
      this.worlds.set(
        worldId,
        this.entry(
          worldId,
          new WorldRules(settings, this.deps.config.rules),
          { physics, bound },
          response.tick,
        ),
      );
    else if (existing.physics !== physics || existing.bound !== bound) {
      this.logger.log(`world ${worldId}: its physics moved to ${physics.address}`);
      existing.physics = physics;
      existing.bound = bound;
    }
    return { ...response, created: response.created || !existing };
  }

  /**
   * Inits the world on `physics`; when that replica answers that another one owns the world,
   * once more on the owner it names (docs/engine-contract.md, "Ownership and epochs").
   */
  private async initFollowing(
    worldId: string,
    config: WorldConfig | undefined,
    physics: PhysicsEngine,
  ): Promise<{ response: InitResponse; physics: PhysicsEngine }> {
    try {
      return { response: await physics.calls.init({ worldId, config }), physics };
    } catch (error) {
      const owner = ownerAddressOf(error);
      if (owner === undefined || owner === physics.address) return asDependencyError(error);
      const next = this.deps.physics.get(owner);
      const response = await next.calls.init({ worldId, config }).catch(asDependencyError);
      return { response, physics: next };
    }
  }

  /**
   * Queues a player command for its world's next batch; resolves with its apply tick once the
   * physics engine took its intent (and logged it) and its event was handed to the bus.
   */
  apply(
    worldId: string,
    command: EngineCommand,
    traceparent = '',
  ): Promise<{ applyTick: number; entityId: string }> {
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
    return this.get(worldId).commands.submit(command, traceparent);
  }

  /**
   * Runs one batch of a world's commands: each is validated against the rules state as the ones
   * before it left it (and committed at once), the intents go to the physics engine together,
   * and the answers and events follow in the batch's order. A command whose intent the physics
   * engine did not take is reverted.
   */
  private async runBatch(
    worldId: string,
    world: WorldEntry,
    batch: QueuedCommand[],
  ): Promise<void> {
    // While the world is being found again (its physics replica died), its commands wait.
    if (world.reinit) await world.reinit.catch(() => undefined);
    const now = this.deps.clock.now();
    const planned: Array<{ queued: QueuedCommand; plan: CommandPlan; sent?: Promise<number> }> = [];
    for (const queued of batch) {
      let plan: CommandPlan;
      try {
        plan = world.rules.plan(queued.command, now);
      } catch (error) {
        queued.reject(error);
        continue;
      }
      plan.commit();
      const sent = plan.intent
        ? this.sendIntent(worldId, world, commandToWire(plan.intent), queued.traceparent)
        : undefined;
      // Observed below, in order; this copy only must not count as unhandled meanwhile.
      sent?.catch(() => undefined);
      planned.push({ queued, plan, sent });
    }
    for (const { queued, plan, sent } of planned) {
      let applyTick = world.tick + 1;
      if (sent) {
        try {
          applyTick = await sent;
        } catch (error) {
          const kept = error instanceof EngineError && error.code === EngineErrorCode.AlreadyExists;
          if (!(plan.adoptsExistingBody && kept)) {
            plan.revert?.();
            queued.reject(error);
            continue;
          }
          this.logger.log(`world ${worldId}: ${plan.entityId} is still in physics; taken back`);
        }
      }
      if (plan.event) await this.deps.events.publish(worldId, applyTick, plan.event);
      queued.resolve({ applyTick, entityId: plan.entityId });
    }
  }

  /**
   * Sends one intent on the physics engine's command stream; when the engine answers that it
   * does not run the world (it restarted), Inits the world there again (once for the commands
   * that learn it together), which restores its checkpoint and log, and sends the intent once
   * more. Nothing is applied twice: an unknown world applied nothing.
   */
  private async sendIntent(
    worldId: string,
    world: WorldEntry,
    intent: Command,
    traceparent: string,
  ): Promise<number> {
    const send = async () => {
      const { applyTick } = await world.physics.commands.submit(worldId, intent, traceparent);
      world.tick = Math.max(world.tick, applyTick - 1);
      return applyTick;
    };
    try {
      return await send();
    } catch (error) {
      if (!isUnknownWorldError(error)) {
        // The owner may be gone: the outcome of this intent is unknown (it is not resent),
        // but the world's next commands go where it lives now.
        if (error instanceof EngineUnavailableError && world.physics !== world.bound)
          void this.initAgain(worldId, world).catch(() => undefined);
        return asDependencyError(error);
      }
      await this.initAgain(worldId, world);
      return send().catch(asDependencyError);
    }
  }

  /** Forwards Tick to the physics engine (manual mode). */
  async tick(worldId: string, targetTick: number): Promise<TickResponse> {
    const world = this.get(worldId);
    const response = await this.onPhysics(worldId, world, (p) =>
      p.calls.tick({ worldId, targetTick }),
    );
    world.tick = Math.max(world.tick, response.tick);
    return response;
  }

  /** The world's rules state (the engine's own opaque state) with the physics bodies and tick. */
  async snapshot(worldId: string): Promise<SnapshotResponse> {
    const world = this.get(worldId);
    const physics = await this.onPhysics(worldId, world, (p) => p.calls.snapshot({ worldId }));
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
    // Batches in flight finish against the rules they were planned on; later ones see these.
    if (previous) previous.rules = rules;
    else {
      const physics = this.deps.physics.get();
      this.worlds.set(worldId, this.entry(worldId, rules, { physics, bound: physics }, 0));
    }
    const encoded = encodeRulesState(rules.settings, rules.list());
    return { tick: previous?.tick ?? 0, stateHash: sha256(encoded) };
  }

  /**
   * Removes a world here and on its physics engine (the configured one when this engine does
   * not know the world, e.g. after a restart). Batches in flight settle first; commands still
   * waiting, and later ones, find no world. True when either engine ran it.
   */
  async close(worldId: string): Promise<boolean> {
    const world = this.worlds.get(worldId);
    if (world) {
      this.worlds.delete(worldId);
      this.quota.release(worldId);
      await world.commands.close(new WorldNotFoundError(worldId));
    }
    const physics = world?.physics ?? this.deps.physics.get();
    const { closed } = await physics.calls.closeWorld({ worldId }).catch(asDependencyError);
    return closed || world !== undefined;
  }

  /** Commands of a world waiting for their batch or for the physics engine (0 for no world). */
  queuedCommands(worldId: string): number {
    return this.worlds.get(worldId)?.commands.size ?? 0;
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
   * restarted), Inits the world there again, which restores its latest checkpoint and log, and
   * retries once.
   */
  private async onPhysics<T>(
    worldId: string,
    world: WorldEntry,
    call: (physics: PhysicsEngine) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(world.physics);
    } catch (error) {
      if (!isUnknownWorldError(error)) return asDependencyError(error);
      await this.initAgain(worldId, world);
      return call(world.physics).catch(asDependencyError);
    }
  }

  /**
   * Inits a world again where it lives: on its owner (which restores it if it lost the world),
   * following a redirect to another owner; when the owner cannot be reached, through the bound
   * engine, whose replicas know the new owner or take the world over. Callers that learn it
   * together share one Init.
   */
  private initAgain(worldId: string, world: WorldEntry): Promise<unknown> {
    if (world.reinit) return world.reinit;
    this.logger.warn(`world ${worldId}: its physics replica lost it or is gone; finding it again`);
    const config = worldSettingsToWire(world.rules.settings);
    const once = async () => {
      try {
        return await this.initFollowing(worldId, config, world.physics);
      } catch (error) {
        if (!(error instanceof EngineUnavailableError) || world.physics === world.bound)
          throw error;
        return this.initFollowing(worldId, config, world.bound);
      }
    };
    // A dead owner's lease runs for a while before another replica takes the world: retry an
    // unreachable owner with backoff, for at most REROUTE_DEADLINE_MS (real time, not the
    // rules' clock).
    // Only a world that lives on a replica other than its bound engine has another place to be.
    const replicated = world.physics !== world.bound;
    const again = async () => {
      const deadline = performance.now() + REROUTE_DEADLINE_MS;
      for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
        try {
          return await once();
        } catch (error) {
          const unreachable = error instanceof EngineUnavailableError && replicated;
          if (!unreachable || performance.now() + delay > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    };
    world.reinit = again()
      .then(({ response, physics }) => {
        world.tick = response.tick;
        world.physics = physics;
      })
      .finally(() => (world.reinit = undefined));
    return world.reinit;
  }

  private entry(
    worldId: string,
    rules: WorldRules,
    engines: { physics: PhysicsEngine; bound: PhysicsEngine },
    tick: number,
  ): WorldEntry {
    const limit = this.deps.config.limits.maxQueuedCommandsPerWorld;
    const world: WorldEntry = {
      rules,
      ...engines,
      tick,
      commands: new WorldCommandQueue(worldId, limit, (batch) =>
        this.runBatch(worldId, world, batch),
      ),
    };
    return world;
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
