import { Logger } from '@nestjs/common';
import { inSpan } from '@anvil/telemetry';
import {
  EngineUnavailableError,
  InvalidCommandError,
  PreconditionError,
  WorldOwnedElsewhereError,
  UNNAMED_CALLER,
  UnsupportedCommandError,
  WorldNotFoundError,
  WorldQuota,
  boundAddress,
  isPlayerCommand,
  worldSettingsFromWire,
  worldSettingsToWire,
  type EngineCommand,
  type InitResponse,
  type SenderLease,
  type SnapshotResponse,
  type TickResponse,
  type WorldBinding,
  type WorldConfig,
} from '@anvil/engine-contract';
import type { Clock } from '@anvil/runtime';
import { GameMetrics } from '../metrics/game-metrics';
import type { GameHostConfig } from '../config/game-host-config';
import type { InteractionEvents } from '../events/interaction-events';
import type { Placement } from '@anvil/ownership';
import type { GameOwnership, GameWorldSpec } from '../ownership/game-ownership';
import { asDependencyError } from '../physics/dependency-error';
import { initFollowing } from '../physics/init-following';
import type { PhysicsClients, PhysicsEngine } from '../physics/physics-clients';
import { WorldPhysics } from '../physics/world-physics';
import type { GameRules, GameRulesFactory } from '../rules/game-rules';
import { sha256 } from '../rules/state-codec';
import { runBatch } from './run-batch';
import { WorldCommandQueue } from './world-command-queue';

/** The capability a game module requires of a physics engine. */
export const PHYSICS_CAPABILITY = 'physics.simulation';

/** What the service needs: the game's rules, physics engine clients, the event publisher, config and time. */
export interface GameWorldsDeps {
  rules: GameRulesFactory;
  /** How the module names itself in refusals, e.g. "the interaction engine". */
  label: string;
  physics: PhysicsClients;
  events: InteractionEvents;
  config: GameHostConfig;
  /** Monotonic time (tests control cooldowns and rate limits). */
  clock: Clock;
  /** World leases and saved rules state (with storage); without, worlds live only here. */
  ownership?: GameOwnership;
  /** Where new worlds go among the replicas (with ownership); none: where their Init arrives. */
  placement?: Placement;
}

/** One world of a game module. */
export interface GameWorld {
  rules: GameRules;
  physics: WorldPhysics;
  /** Commands waiting for their batch or its answer (bounded by MAX_QUEUED_COMMANDS_PER_WORLD). */
  commands: WorldCommandQueue;
  /** The public state last handed to the bus, as JSON (undefined: none yet). */
  publishedState?: string;
  /** The epoch of the world's lease this replica runs it under (0 without ownership). */
  epoch: number;
  /** The hash of the rules state last saved (ownership), and the save in progress. */
  savedHash?: string;
  saving: Promise<void>;
}

/**
 * A game module's worlds: the game's rules in front of the physics engine. What it keeps is
 * bounded: worlds by the world quota (MAX_WORLDS, MAX_WORLDS_PER_CALLER), each world's queued
 * commands (MAX_QUEUED_COMMANDS_PER_WORLD) and its players (the rules); CloseWorld frees a world.
 */
export class GameWorldsService {
  private readonly logger = new Logger('GameWorlds');
  private readonly worlds = new Map<string, GameWorld>();
  /** Worlds being started here (their lease taken, physics Init in flight): one start each. */
  private readonly starting = new Map<string, Promise<InitResponse>>();
  private readonly quota: WorldQuota;

  /** This replica's Prometheus metrics (served on METRICS_PORT). */
  readonly metrics: GameMetrics;

  constructor(private readonly deps: GameWorldsDeps) {
    this.quota = new WorldQuota(deps.config.limits);
    this.metrics = new GameMetrics({
      worlds: () => this.worlds.size,
      players: () => this.totalPlayers(),
    });
  }

  /**
   * Inits the world (idempotent) on the physics engine its bindings name for this module (the
   * configured one when they name none), and sets up its rules. A later Init whose binding
   * names another physics engine moves the world's commands there. The world's game state is
   * published after each Init, so a gateway starting the world can show it to joiners.
   */
  async init(
    worldId: string,
    config: WorldConfig | undefined,
    bindings?: readonly WorldBinding[],
    caller = UNNAMED_CALLER,
    placed = false,
  ): Promise<InitResponse> {
    const reserved = !this.quota.holds(worldId);
    if (reserved) this.quota.reserve(caller, worldId);
    let response: InitResponse;
    try {
      response = await this.initHeld(worldId, config, bindings, caller, placed);
    } catch (error) {
      if (reserved && !this.worlds.has(worldId)) this.quota.release(worldId);
      throw error;
    }
    await this.publishState(worldId, response.tick, true);
    // This replica's address, not physics' (the response is physics' answer, completed).
    return { ...response, ownerAddress: this.deps.ownership?.address ?? '' };
  }

  private async initHeld(
    worldId: string,
    config: WorldConfig | undefined,
    bindings: readonly WorldBinding[] | undefined,
    caller: string,
    placed: boolean,
  ): Promise<InitResponse> {
    const { physics: clients, config: own } = this.deps;
    const address = boundAddress(bindings, own.module, PHYSICS_CAPABILITY, clients.defaultAddress);
    const bound = clients.get(address);
    // Until no start is on its way: callers that waited for one that failed must not all start
    // the world (this replica's second acquisition would raise the epoch under its first).
    for (let starting = this.starting.get(worldId); starting; starting = this.starting.get(worldId))
      await starting.catch(() => undefined);
    const existing = this.worlds.get(worldId);
    if (!existing) {
      const spec: GameWorldSpec = { config, bindings: bindings && [...bindings], caller };
      const starting = this.start(worldId, spec, bound, placed).finally(() =>
        this.starting.delete(worldId),
      );
      this.starting.set(worldId, starting);
      return starting;
    }
    // Without a config, the world as it runs (a gateway starts worlds without one): physics
    // would take none for its defaults and refuse a world created with another.
    const asRunning = config ?? worldSettingsToWire(existing.rules.settings);
    const sender = this.senderLease(existing.epoch);
    const { response, physics } = await initFollowing(clients, worldId, asRunning, bound, sender);
    if (existing.physics.owner !== physics || existing.physics.bound !== bound) {
      this.logger.log(`world ${worldId}: its physics moved to ${physics.address}`);
      existing.physics.owner = physics;
      existing.physics.bound = bound;
    }
    return response;
  }

  /**
   * Starts a world this replica does not run: under its lease (with ownership), from its saved
   * rules state when an owner before saved one, else with fresh rules.
   */
  private async start(
    worldId: string,
    spec: GameWorldSpec,
    bound: PhysicsEngine,
    placed: boolean,
  ): Promise<InitResponse> {
    const { ownership } = this.deps;
    if (!placed) await this.placeHere(worldId);
    const lease = ownership ? await ownership.acquire(worldId, spec) : undefined;
    try {
      const { response, physics } = await initFollowing(
        this.deps.physics,
        worldId,
        spec.config,
        bound,
        this.senderLease(lease?.epoch),
      );
      const settings = worldSettingsFromWire(response.config, Number.MAX_SAFE_INTEGER);
      const rules = lease?.saved
        ? this.deps.rules.restore(lease.saved.state)
        : this.deps.rules.create(settings);
      // The lease may have been lost while physics answered (renewals missed under load).
      if (lease && ownership) ownership.check(worldId, lease.epoch);
      const world = this.entry(worldId, rules, { physics, bound }, response.tick, lease?.epoch);
      world.savedHash = lease?.saved?.stateHash;
      if (lease?.saved) {
        this.logger.log(
          `world ${worldId}: taken with epoch ${lease.epoch}, its rules state restored (saved at epoch ${lease.saved.epoch})`,
        );
      }
      this.worlds.set(worldId, world);
      // Fresh for its caller (who puts its players back) unless both halves were restored.
      return { ...response, created: response.created || !lease?.saved };
    } catch (error) {
      // Not closed: another replica (or this one, next round) may bring the world back.
      await ownership?.release(worldId, false);
      throw error;
    }
  }

  /**
   * Brings back a world whose owner is gone, from the spec its lease recorded (the takeover
   * loop): Init with the same arguments, for the same caller.
   */
  async takeOver(worldId: string, spec: Record<string, unknown>): Promise<void> {
    const { config, bindings, caller } = spec as Partial<GameWorldSpec>;
    if (typeof caller !== 'string' || (bindings !== undefined && !Array.isArray(bindings)))
      throw new InvalidCommandError(`world "${worldId}": its lease records no usable spec`);
    // Still here under a lease nobody renews: run it again under a new one, from the saved state.
    await this.lose(worldId, 'its lease was orphaned while it ran here');
    // A trace of its own: a failover is nobody's request.
    await inSpan('world takeover', undefined, { attributes: { 'anvil.world.id': worldId } }, () =>
      this.init(worldId, config, bindings, caller, true),
    );
    this.metrics.takeovers.inc();
  }

  /**
   * Placement: a world not running here starts here unless a less loaded replica should take
   * it; then that replica is named (FAILED_PRECONDITION, its address in the trailer) and the
   * caller asks it. Without reports it starts here.
   */
  private async placeHere(worldId: string): Promise<void> {
    const { placement, ownership, config } = this.deps;
    if (!placement || !ownership) return;
    const here = this.worlds.size + this.starting.size;
    const target = await placement
      .elsewhere({
        replicaId: ownership.holder,
        worlds: here,
        bodies: 0,
        maxWorlds: config.limits.maxWorlds,
        maxBodies: 1,
      })
      .catch(() => undefined);
    if (target) {
      throw new WorldOwnedElsewhereError(
        `world "${worldId}" is placed on replica ${target.replicaId} at ${target.address} (${target.worlds} worlds there, ${here} here)`,
        target.address,
      );
    }
  }

  /**
   * Drops a world whose lease this replica lost (another replica may run it already): the
   * commands waiting get UNAVAILABLE, so their senders find the new owner. Its physics world
   * stays: the new owner goes on with it.
   */
  async lose(worldId: string, reason: string): Promise<void> {
    const world = this.worlds.get(worldId);
    if (!world) return;
    this.logger.warn(`world ${worldId}: lost, ${reason}; it stops here`);
    this.metrics.lost.inc();
    this.worlds.delete(worldId);
    this.quota.release(worldId);
    this.deps.ownership?.forget(worldId);
    await world.commands.close(new EngineUnavailableError(`world "${worldId}": ${reason}`));
  }

  /**
   * Shutting down: leaves every world as an orphan (its lease released, not closed), so the
   * other replicas take them at once instead of after the lease's time.
   */
  async leaveAll(): Promise<void> {
    const { ownership } = this.deps;
    const worlds = [...this.worlds.entries()];
    this.worlds.clear();
    await Promise.all(
      worlds.map(async ([worldId, world]) => {
        this.quota.release(worldId);
        await world.commands.close(
          new EngineUnavailableError(`world "${worldId}": its engine is shutting down`),
        );
        await ownership?.release(worldId, false);
      }),
    );
  }

  /**
   * Queues a player command for its world's next batch; resolves with its apply tick once the
   * physics engine took its intent (and logged it) and its event was handed to the bus. A
   * repeated `idempotencyKey` the world remembers answers the first command's result; its
   * intent carries the key to the physics engine, which applies it once.
   */
  apply(
    worldId: string,
    command: EngineCommand,
    traceparent = '',
    idempotencyKey = '',
  ): Promise<{ applyTick: number; entityId: string }> {
    if (command.type === 'module') {
      throw new InvalidCommandError(
        `unknown module command type "${command.moduleType}": ${this.deps.label} has none`,
      );
    }
    if (!isPlayerCommand(command)) {
      throw new UnsupportedCommandError(
        `${this.deps.label} takes player commands; "${command.type}" is a physics intent`,
      );
    }
    return this.get(worldId).commands.submit(command, traceparent, idempotencyKey);
  }

  /** Forwards Tick to the physics engine (manual mode). */
  async tick(worldId: string, targetTick: number): Promise<TickResponse> {
    const world = this.get(worldId);
    const response = await world.physics.call((p) => p.calls.tick({ worldId, targetTick }));
    world.physics.tick = Math.max(world.physics.tick, response.tick);
    return response;
  }

  /** The world's rules state (the engine's own opaque state) with the physics bodies and tick. */
  async snapshot(worldId: string): Promise<SnapshotResponse> {
    const world = this.get(worldId);
    const physics = await world.physics.call((p) => p.calls.snapshot({ worldId }));
    const state = world.rules.encodeState();
    return { worldId, tick: physics.tick, stateHash: sha256(state), state, bodies: physics.bodies };
  }

  /**
   * Replaces (or creates) a world's rules from snapshot state (restore physics separately), and
   * publishes its game state.
   */
  async restore(
    worldId: string,
    stateBytes: Uint8Array,
    stateHash: string,
    caller = UNNAMED_CALLER,
  ): Promise<{ tick: number; stateHash: string }> {
    if (stateHash && stateHash !== sha256(stateBytes))
      throw new InvalidCommandError('state_hash does not match sha256(state)');
    const rules = this.deps.rules.restore(stateBytes);
    const reserved = !this.quota.holds(worldId);
    if (reserved) this.quota.reserve(caller, worldId);
    const previous = this.worlds.get(worldId);
    // Batches in flight finish against the rules they were planned on; later ones see these.
    if (previous) previous.rules = rules;
    else if (this.deps.ownership) {
      throw new PreconditionError(
        `world "${worldId}" does not run here: Init it first (this module owns worlds by lease)`,
      );
    } else {
      const physics = this.deps.physics.get();
      this.worlds.set(worldId, this.entry(worldId, rules, { physics, bound: physics }, 0));
    }
    const tick = previous?.physics.tick ?? 0;
    if (previous) await this.persist(worldId, previous);
    await this.publishState(worldId, tick, true);
    return { tick, stateHash: sha256(rules.encodeState()) };
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
      await this.deps.ownership?.release(worldId, true);
    }
    const physics = world?.physics.owner ?? this.deps.physics.get();
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

  /** Players in all worlds here (the load a replica reports). */
  totalPlayers(): number {
    let players = 0;
    for (const world of this.worlds.values()) players += world.rules.list().length;
    return players;
  }

  /** The rules state hash of a world (tests: "nothing changed"). */
  stateHash(worldId: string): string {
    return sha256(this.get(worldId).rules.encodeState());
  }

  /** The game state the world shows its players now (undefined for a game without). */
  publicState(worldId: string): Record<string, unknown> | undefined {
    return this.get(worldId).rules.publicState();
  }

  /**
   * Hands the world's public state to the bus when it differs from the one last handed over
   * (or always, `force`: after Init and Restore). A world closed meanwhile publishes nothing.
   */
  private async publishState(worldId: string, tick: number, force = false): Promise<void> {
    const world = this.worlds.get(worldId);
    const state = world?.rules.publicState();
    if (!world || state === undefined) return;
    const json = JSON.stringify(state);
    if (!force && json === world.publishedState) return;
    world.publishedState = json;
    await this.deps.events.publishState(worldId, tick, this.deps.config.module, state);
  }

  /**
   * Saves the world's rules state when it changed since the last save (with ownership), one
   * save at a time, each of the state as it is then; throws UNAVAILABLE when this replica may
   * no longer act for the world. Answers wait for it: an acknowledged command is saved.
   */
  private persist(worldId: string, world: GameWorld): Promise<void> {
    const { ownership } = this.deps;
    if (!ownership) return Promise.resolve();
    const save = async () => {
      const state = world.rules.encodeState();
      const hash = sha256(state);
      if (hash === world.savedHash) return ownership.check(worldId, world.epoch);
      await ownership.save(worldId, world.epoch, state);
      world.savedHash = hash;
    };
    const saving = world.saving.catch(() => undefined).then(save);
    world.saving = saving;
    return saving;
  }

  /** This replica's lease on a world as physics is told it (none without ownership). */
  private senderLease(epoch = 0): SenderLease | undefined {
    const { ownership } = this.deps;
    return ownership && epoch > 0 ? { role: ownership.role, epoch } : undefined;
  }

  private entry(
    worldId: string,
    rules: GameRules,
    engines: { physics: PhysicsEngine; bound: PhysicsEngine },
    tick: number,
    epoch = 0,
  ): GameWorld {
    const limit = this.deps.config.limits.maxQueuedCommandsPerWorld;
    const world: GameWorld = {
      epoch,
      saving: Promise.resolve(),
      rules,
      physics: new WorldPhysics(
        worldId,
        this.deps.physics,
        engines.physics,
        engines.bound,
        tick,
        () => world.rules.settings,
        this.senderLease(epoch),
      ),
      commands: new WorldCommandQueue(worldId, limit, async (batch) => {
        const lastTick = await runBatch(worldId, world, batch, {
          events: this.deps.events,
          clock: this.deps.clock,
          logger: this.logger,
          persist: () => this.persist(worldId, world),
        });
        await this.publishState(worldId, lastTick);
      }),
    };
    return world;
  }

  private get(worldId: string): GameWorld {
    const world = this.worlds.get(worldId);
    if (!world) throw new WorldNotFoundError(worldId);
    return world;
  }
}
