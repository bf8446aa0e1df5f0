import { Logger } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { inSpan } from '@anvil/telemetry';
import type { EventBus } from '@anvil/bus';
import { LeaseHeldError, type Checkpoint } from '@anvil/storage';
import {
  AlreadyExistsError,
  CapacityError,
  ContractLimits,
  EngineUnavailableError,
  InvalidCommandError,
  PreconditionError,
  UNNAMED_CALLER,
  WorldNotFoundError,
  WorldOwnedElsewhereError,
  WorldQuota,
  requireBodyRoom,
  sameWorldSettings,
  type EngineCommand,
  type SenderLease,
  type WorldConfig,
  type WorldSettings,
  worldSettingsFromWire,
  worldSettingsToWire,
} from '@anvil/engine-contract';
import type { PhysicsConfig } from '../config/physics-config';
import { PhysicsMetrics, type Acquisition } from '../metrics/physics-metrics';
import type { Rapier } from '../simulation/rapier';
import type { CommandLogEntry } from '../log/command-log-entry';
import { CommandLogError } from '../log/command-log-error';
import { logReadBound, reachesCheckpoint, readWorldLog } from '../log/read-log';
import { entriesAfter, type LogCheckpoint, type Replayed } from '../log/replay';
import { restoreWorld } from '../log/restore-world';
import type { KeyedResult } from '../simulation/applied-keys';
import { decodeState, sha256 } from '../simulation/state-codec';
import {
  WorldSimulation,
  type SimulationOptions,
  type SimulationSnapshot,
} from '../simulation/world-simulation';
import type { Clock, Timers } from '@anvil/runtime';
import type { CheckpointService } from './checkpoints';
import { CommandLogWriter } from '../log/command-log-writer';
import { DeltaPublisher } from './delta-publisher';
import { WorldRuntime, type CloseSteps, type WorldHandover } from './world-runtime';
import type { HeldLease, Placement, TakerOf, WorldOwnership } from '@anvil/ownership';

/** What a world's lease records so that another replica can bring it back. */
interface WorldSpec {
  settings: WorldSettings;
  /** Whose quota it counts against. */
  caller: string;
}

/** What the service needs from outside: Rapier, the bus, config and (for tests) time. */
export interface WorldsDeps {
  rapier: Rapier;
  bus: EventBus;
  config: PhysicsConfig;
  clock?: Clock;
  timers?: Timers;
  /** Periodic checkpoints and restore on Init; none: worlds start fresh and are not saved. */
  checkpoints?: CheckpointService;
  /**
   * World leases (docs/decisions.md, "World ownership"): a world is loaded only under its lease,
   * its writes carry the lease's epoch, and it is dropped when the lease is lost. None: one
   * replica, epoch 0.
   */
  ownership?: WorldOwnership;
  /** Where new worlds go among the replicas (with ownership); none: where their Init arrives. */
  placement?: Placement;
}

/** A world started (or found running) under its lease, and how. */
interface Loaded {
  runtime: WorldRuntime;
  created: boolean;
  /** Resumed where its previous holder handed it over. */
  resumed?: boolean;
  /** Already running here (a Restore created it meanwhile): nothing was started. */
  existing?: boolean;
}

/**
 * The world registry of one physics engine: the RPCs' logic without the transport. Everything
 * it keeps per world is bounded: worlds by the world quota (which also holds the worlds being
 * created), bodies per world and in total, queued commands per world (the simulation), and
 * unsettled publishes per world (the delta publisher). CloseWorld frees all of it.
 */
export class WorldsService {
  private readonly logger = new Logger('WorldsService');
  private readonly worlds = new Map<string, WorldRuntime>();
  /** Inits waiting for their checkpoint lookup, so concurrent Inits of a world create it once. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly simOptions: SimulationOptions;
  /** Which caller holds each world (running or being created): MAX_WORLDS, MAX_WORLDS_PER_CALLER. */
  private readonly quota: WorldQuota;
  /** Set once the replica stops (closeAll): no world starts here any more. */
  private draining = false;

  /** This replica's Prometheus metrics (served on METRICS_PORT). */
  readonly metrics: PhysicsMetrics;

  constructor(private readonly deps: WorldsDeps) {
    this.metrics = new PhysicsMetrics({
      worlds: () => this.worlds.size,
      bodies: () => this.totalBodies(),
      oldestCheckpointAgeSeconds: () => this.oldestCheckpointAgeSeconds(),
    });
    const { tick, limits } = deps.config;
    this.simOptions = { dtSeconds: 1 / tick.hz, maxQueuedIntents: limits.maxQueuedCommands };
    this.quota = new WorldQuota(limits);
  }

  /** This replica's address when it owns worlds by lease (Init answers it), else empty. */
  get ownerAddress(): string {
    return this.deps.ownership?.address ?? '';
  }

  /**
   * Creates a world, or returns the existing one when its settings are the same. With storage,
   * a world not in memory continues from its latest checkpoint (e.g. after a restart). A
   * `sender` lease older than one its role has shown for the world is refused
   * (SenderFencedError), and a newer one fences the older epochs' later calls.
   */
  async init(
    worldId: string,
    config: WorldConfig | undefined,
    caller = UNNAMED_CALLER,
    placed = false,
    sender?: SenderLease,
  ): Promise<{ runtime: WorldRuntime; created: boolean }> {
    const started = await this.initWorld(worldId, config, caller, placed);
    // After the world is here: a caller's newer lease fences its predecessor's later calls.
    started.runtime.senders.admit(sender);
    return started;
  }

  private async initWorld(
    worldId: string,
    config: WorldConfig | undefined,
    caller: string,
    placed: boolean,
  ): Promise<{ runtime: WorldRuntime; created: boolean }> {
    const settings = worldSettingsFromWire(config, this.deps.config.limits.maxBodiesPerWorld);
    this.refuseWhileDraining(worldId);
    // Until no start is on its way: callers that waited for one that failed must not all start
    // the world (this replica's second acquisition would raise the epoch under its first).
    for (let pending = this.pending.get(worldId); pending; pending = this.pending.get(worldId))
      await pending.catch(() => undefined);
    const existing = this.worlds.get(worldId);
    if (existing) {
      if (!sameWorldSettings(existing.sim.settings, settings)) {
        throw new AlreadyExistsError(`world "${worldId}" exists with a different config`);
      }
      return { runtime: existing, created: false };
    }
    this.quota.reserve(caller, worldId);
    const creating = this.createOrRestore(worldId, settings, caller, placed);
    this.pending.set(worldId, creating);
    try {
      return await creating;
    } catch (error) {
      if (!this.worlds.has(worldId)) this.quota.release(worldId);
      throw error;
    } finally {
      this.pending.delete(worldId);
    }
  }

  private async createOrRestore(
    worldId: string,
    settings: WorldSettings,
    caller: string,
    placed: boolean,
  ): Promise<{ runtime: WorldRuntime; created: boolean }> {
    if (!placed) await this.placeHere(worldId);
    // The lease first: the previous owner acknowledged nothing after its lease ended, so the
    // log read below holds every acknowledged entry.
    const lease = await this.acquire(worldId, { settings, caller });
    try {
      return await this.load(worldId, settings, lease);
    } catch (error) {
      // Not closed: another replica (or this one, next round) may bring the world back.
      if (!this.worlds.has(worldId)) await this.releaseQuietly(worldId, false);
      throw error;
    }
  }

  /**
   * Brings back a world whose owner is gone, from the spec its lease recorded (the takeover
   * loop): Init with the same settings, for the same caller.
   */
  async takeOver(worldId: string, spec: Record<string, unknown>): Promise<void> {
    const { settings, caller } = spec as Partial<WorldSpec>;
    if (typeof caller !== 'string' || typeof settings !== 'object' || settings === null)
      throw new InvalidCommandError(`world "${worldId}": its lease records no usable spec`);
    // A trace of its own: a failover (or a migration's second half) is nobody's request.
    await inSpan('world takeover', undefined, { attributes: { 'anvil.world.id': worldId } }, () =>
      this.init(worldId, worldSettingsToWire(settings), caller, true),
    );
  }

  /**
   * Placement: a world not running here starts here unless a less loaded replica should take
   * it; then that replica is named (FAILED_PRECONDITION, its address in the trailer) and the
   * caller asks it. Without reports (or storage) it starts here.
   */
  private async placeHere(worldId: string): Promise<void> {
    const { placement, ownership, config } = this.deps;
    if (!placement || !ownership) return;
    const target = await placement
      .elsewhere({
        replicaId: ownership.holder,
        worlds: this.size - 1, // this world's reservation is not load yet
        bodies: this.totalBodies(),
        maxWorlds: config.limits.maxWorlds,
        maxBodies: config.limits.maxBodiesTotal,
      })
      .catch(() => undefined);
    if (target) {
      throw new WorldOwnedElsewhereError(
        `world "${worldId}" is placed on replica ${target.replicaId} at ${target.address} (${target.worlds} worlds there, ${this.size - 1} here)`,
        target.address,
      );
    }
  }

  /** Takes the world's lease (epoch 0 without ownership); FAILED_PRECONDITION when held elsewhere. */
  private async acquire(
    worldId: string,
    spec: WorldSpec,
  ): Promise<Pick<HeldLease, 'epoch' | 'handedOver'>> {
    const { ownership } = this.deps;
    if (!ownership) return { epoch: 0 };
    try {
      return await ownership.acquire(worldId, { ...spec });
    } catch (error) {
      if (error instanceof LeaseHeldError) {
        const { holder, address, epoch, expiresAt } = error.lease;
        throw new WorldOwnedElsewhereError(
          `world "${worldId}" is owned by replica ${holder} at ${address} (epoch ${epoch}) until ${expiresAt.toISOString()}`,
          address,
          { cause: error },
        );
      }
      throw new EngineUnavailableError(
        `world "${worldId}": cannot take its lease: ${String(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Gives the lease up: `closed` on purpose, or (shutting down) as an orphan to take over, with
   * where the world was stopped when it was handed over.
   */
  private async releaseQuietly(
    worldId: string,
    closed = true,
    handover?: WorldHandover,
    to?: string,
  ): Promise<void> {
    await this.deps.ownership
      ?.release(worldId, closed, handover && { ...handover }, handover && to)
      .catch((error: unknown) =>
        this.logger.warn(`world ${worldId}: releasing its lease failed: ${String(error)}`),
      );
  }

  /**
   * Starts a world held under its lease, in a `world load` span (child of the Init or takeover
   * that asked), counted by how it came: new, restored (a failover, a restart) or handed over.
   */
  private load(
    worldId: string,
    settings: WorldSettings,
    lease: Pick<HeldLease, 'epoch' | 'handedOver'>,
  ): Promise<{ runtime: WorldRuntime; created: boolean }> {
    const attributes = { 'anvil.world.id': worldId, 'anvil.lease.epoch': lease.epoch };
    return inSpan('world load', context.active(), { attributes }, async (span) => {
      const loaded = await this.loadHeld(worldId, settings, lease);
      const how: Acquisition = loaded.created ? 'new' : loaded.resumed ? 'handed_over' : 'restored';
      if (!loaded.existing) this.metrics.acquired.inc({ how });
      span.setAttributes({ 'anvil.world.acquired': how, 'anvil.tick': loaded.runtime.sim.tick });
      return { runtime: loaded.runtime, created: loaded.created };
    });
  }

  private async loadHeld(
    worldId: string,
    settings: WorldSettings,
    { epoch, handedOver }: Pick<HeldLease, 'epoch' | 'handedOver'>,
  ): Promise<Loaded> {
    const began = performance.now();
    const checkpoint = await this.latestCheckpoint(worldId);
    const checkpointRead = performance.now();
    if (checkpoint && leftAt(checkpoint, handedOver, epoch))
      return this.resume(worldId, settings, checkpoint, epoch, began);
    const { log, whole } = await this.readLogFor(worldId, checkpoint);
    const logRead = performance.now();
    const existing = this.running(worldId, settings);
    // A Restore created it while the checkpoint and the log were being read.
    if (existing) return { runtime: existing, created: false, existing: true };
    if (!checkpoint && log.length === 0) {
      const sim = WorldSimulation.create(this.deps.rapier, settings, this.simOptions);
      return { runtime: await this.serve(worldId, sim, 0, epoch), created: true };
    }
    let base: LogCheckpoint;
    if (checkpoint) {
      base = this.checkpointBase(worldId, checkpoint, settings);
    } else {
      // No checkpoint yet: the log starts from the world's first state.
      const first = WorldSimulation.create(this.deps.rapier, settings, this.simOptions);
      base = { state: first.snapshot().state, tick: 0, logSeq: 0 };
      first.free();
    }
    let restored: Replayed;
    try {
      restored = restoreWorld(this.deps.rapier, base, log, this.simOptions);
    } catch (error) {
      if (whole || !(error instanceof CommandLogError) || error.code !== 'LOG_GAP')
        this.unreplayable(worldId, base, error);
      // An entry it needs was older than the bound (the read reached the checkpoint's entry, so
      // the bus did not keep its promise): the whole log decides.
      this.logger.warn(
        `world ${worldId}: its command log since the bound misses entry ${error.seq}; reading all of it`,
      );
      const all = await this.readLog(worldId);
      const started = this.running(worldId, settings);
      if (started) return { runtime: started, created: false, existing: true };
      try {
        restored = restoreWorld(this.deps.rapier, base, all, this.simOptions);
      } catch (again) {
        this.unreplayable(worldId, base, again);
      }
    }
    const { sim, logSeq } = restored;
    const replayed = performance.now();
    const runtime = await this.serve(worldId, sim, logSeq, epoch, true, true);
    // Where a restore's time goes (a failover's pause is mostly this and the lease's expiry).
    const ms = (from: number, to: number) => Math.round(to - from);
    this.logger.log(
      `world ${worldId}: restored ${checkpoint ? `checkpoint of tick ${base.tick}` : 'its first state'} and its command log to seq ${logSeq}, tick ${sim.tick} in ${ms(began, performance.now())} ms (checkpoint ${ms(began, checkpointRead)}, log ${ms(checkpointRead, logRead)}, replay ${ms(logRead, replayed)}, epoch marker ${ms(replayed, performance.now())})`,
    );
    return { runtime, created: false };
  }

  /**
   * A handed-over world (the previous holder stopped it at its checkpoint and wrote nothing
   * after): runs from the checkpoint at once, with no log to replay. The log is read meanwhile
   * for the idempotency keys of its entries, which keyed commands wait for; when it cannot be,
   * the world is left to be restored from checkpoint and log (by any replica, this one too).
   */
  private async resume(
    worldId: string,
    settings: WorldSettings,
    checkpoint: Checkpoint,
    epoch: number,
    began: number,
  ): Promise<Loaded> {
    const checkpointRead = performance.now();
    const base = this.checkpointBase(worldId, checkpoint, settings);
    // A Restore created it while the checkpoint was being read.
    const existing = this.running(worldId, settings);
    if (existing) return { runtime: existing, created: false, existing: true };
    const { sim, logSeq } = restoreWorld(this.deps.rapier, base, [], this.simOptions);
    const restored = performance.now();
    // No epoch marker: the previous holder closed its log before it handed the world over.
    const runtime = await this.serve(worldId, sim, logSeq, epoch, false, true);
    runtime.learnKeysMeanwhile(
      this.learnKeys(runtime, checkpoint, base).catch(async (error: unknown) => {
        this.logger.warn(
          `world ${worldId}: reading its command log for the keys of its commands failed (${String(error)}); it is restored from checkpoint and log instead`,
        );
        if (this.worlds.get(worldId) !== runtime) throw error;
        this.worlds.delete(worldId);
        this.quota.release(worldId);
        await runtime.close();
        await this.releaseQuietly(worldId, false);
        throw error;
      }),
    );
    this.logger.log(
      `world ${worldId}: resumed where it was handed over, tick ${sim.tick}, log seq ${logSeq}, in ${Math.round(performance.now() - began)} ms (lease and checkpoint ${Math.round(checkpointRead - began)}, restore ${Math.round(restored - checkpointRead)})`,
    );
    return { runtime, created: false, resumed: true };
  }

  /** The keys of the log's entries up to the handed-over checkpoint, taught to the running world. */
  private async learnKeys(
    runtime: WorldRuntime,
    checkpoint: Checkpoint,
    base: LogCheckpoint,
  ): Promise<void> {
    const { log } = await this.readLogFor(runtime.worldId, checkpoint);
    const { before } = entriesAfter(base, log);
    for (const entry of before) runtime.sim.learnKeys(entry.tick, entry.intents, entry.keys);
  }

  /**
   * Starts the world and waits for its epoch marker to be in the log (UNAVAILABLE if not). A
   * world that comes back (`stepAtOnce`: restored, handed over) steps once at once.
   */
  private async serve(
    worldId: string,
    sim: WorldSimulation,
    logSeq: number,
    epoch: number,
    marker = true,
    stepAtOnce = false,
  ): Promise<WorldRuntime> {
    const runtime = this.start(worldId, sim, logSeq, epoch, marker);
    // Lost while it was loading (its lease taken, or dropped unrenewed): the loss found no
    // world here to stop, so this one must not run. A marker's append would be refused for the
    // same reason; a world without one is checked here, before anything else can happen. (A
    // lease whose renewal is merely late is still held: if the renewal fails, the loss finds
    // this world and stops it.)
    const { ownership } = this.deps;
    if (ownership && !ownership.holds(worldId, epoch)) {
      this.worlds.delete(worldId);
      await runtime.close();
      throw new EngineUnavailableError(
        `world "${worldId}" was lost while it was starting: this replica no longer holds its lease of epoch ${epoch}`,
      );
    }
    if (stepAtOnce) runtime.stepAtOnce();
    try {
      await runtime.marked;
    } catch (error) {
      if (this.worlds.get(worldId) === runtime) this.worlds.delete(worldId);
      await runtime.close();
      throw error;
    }
    // Lost (its lease ended) while the marker was being written: it does not run here.
    if (this.worlds.get(worldId) !== runtime) {
      await runtime.close();
      throw new EngineUnavailableError(
        `world "${worldId}" was lost while it was starting; its new owner serves it`,
      );
    }
    return runtime;
  }

  /** The world running here already (a Restore created it), or undefined; its settings must match. */
  private running(worldId: string, settings: WorldSettings): WorldRuntime | undefined {
    const existing = this.worlds.get(worldId);
    if (existing && !sameWorldSettings(existing.sim.settings, settings)) {
      throw new AlreadyExistsError(`world "${worldId}" exists with a different config`);
    }
    return existing;
  }

  /** A checkpoint to restore from, checked against its hash and the world's settings. */
  private checkpointBase(
    worldId: string,
    checkpoint: Checkpoint,
    settings: WorldSettings,
  ): LogCheckpoint {
    if (checkpoint.stateHash !== sha256(checkpoint.state)) {
      throw new EngineUnavailableError(
        `world "${worldId}": checkpoint of tick ${checkpoint.tick} does not match its state hash`,
      );
    }
    if (!sameWorldSettings(decodeState(checkpoint.state).header.settings, settings)) {
      throw new AlreadyExistsError(
        `world "${worldId}" has a checkpoint (tick ${checkpoint.tick}) with a different config`,
      );
    }
    const { state, tick, logSeq, epoch } = checkpoint;
    return { state, tick, logSeq, epoch };
  }

  /** Throws UNAVAILABLE for a log that does not replay onto the checkpoint, other errors as they are. */
  private unreplayable(worldId: string, base: LogCheckpoint, error: unknown): never {
    if (!(error instanceof CommandLogError)) throw error;
    throw new EngineUnavailableError(
      `world "${worldId}": its command log does not replay onto the checkpoint of tick ${base.tick} (${error.code}: ${error.message})`,
      { cause: error },
    );
  }

  /**
   * The log a restore from `checkpoint` needs: without one, all of it; with one, the entries
   * from a window before its last entry (`logReadBound`), or all of it when those do not reach
   * back to it (`reachesCheckpoint`). `whole`: nothing was left out.
   */
  private async readLogFor(
    worldId: string,
    checkpoint: Pick<Checkpoint, 'createdAt' | 'logSeq' | 'epoch' | 'logAppendedAt'> | null,
  ): Promise<{ log: CommandLogEntry[]; whole: boolean }> {
    const sinceMs = logReadBound(checkpoint);
    if (!checkpoint || sinceMs === undefined)
      return { log: await this.readLog(worldId), whole: true };
    const log = await this.readLog(worldId, sinceMs);
    if (reachesCheckpoint(checkpoint, log)) return { log, whole: false };
    this.logger.warn(
      `world ${worldId}: its command log since ${new Date(sinceMs).toISOString()} does not reach back to its checkpoint (entry ${checkpoint.logSeq}); reading all of it`,
    );
    return { log: await this.readLog(worldId), whole: true };
  }

  /**
   * The world's command log from the bus ([] when the bus cannot read back); with `sinceMs`, the
   * bus may leave out entries older than that.
   */
  private async readLog(worldId: string, sinceMs?: number): Promise<CommandLogEntry[]> {
    try {
      const { bus, config } = this.deps;
      return (await readWorldLog(bus, worldId, config.bus.topicPrefix, sinceMs)) ?? [];
    } catch (error) {
      throw new EngineUnavailableError(
        `world "${worldId}": cannot read its command log: ${String(error)}`,
        { cause: error },
      );
    }
  }

  private async latestCheckpoint(worldId: string) {
    if (!this.deps.checkpoints) return null;
    try {
      return await this.deps.checkpoints.latest(worldId);
    } catch (error) {
      throw new EngineUnavailableError(
        `world "${worldId}": cannot read checkpoints: ${String(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Queues a command for the next tick boundary of a world (a spawn counts against
   * MAX_BODIES_TOTAL); resolves with the apply tick and the body it addresses once it is in the
   * command log (auto mode). A repeated idempotency `key` answers the first command's result.
   * A `sender` lease older than one its role has shown for the world is refused
   * (SenderFencedError): docs/engine-contract.md, "Fencing the caller".
   */
  async apply(
    worldId: string,
    command: EngineCommand,
    key = '',
    sender?: SenderLease,
    traceparent = '',
  ): Promise<KeyedResult> {
    const runtime = this.get(worldId);
    runtime.senders.admit(sender);
    if (command.type === 'spawnBody' && !runtime.knows(key))
      requireBodyRoom(this.totalBodies(), this.deps.config.limits.maxBodiesTotal);
    return runtime.apply(command, key, traceparent);
  }

  /** Bodies in all worlds, queued spawns included. */
  totalBodies(): number {
    let total = 0;
    for (const runtime of this.worlds.values()) total += runtime.sim.projectedBodyCount;
    return total;
  }

  /**
   * Steps a manually ticked world up to targetTick; resolves with the steps run once the
   * command-log entries of those steps are acknowledged (UNAVAILABLE when one could not be).
   */
  async tick(
    worldId: string,
    targetTick: number,
  ): Promise<{ runtime: WorldRuntime; steps: number }> {
    const runtime = this.get(worldId);
    if (runtime.clockDriven) {
      throw new PreconditionError(
        `world "${worldId}" is stepped by the engine clock (TICK_MODE=auto); Tick needs TICK_MODE=manual`,
      );
    }
    const steps = Math.max(0, targetTick - runtime.sim.tick);
    if (steps > ContractLimits.maxStepsPerTick) {
      throw new InvalidCommandError(
        `target_tick is ${steps} steps ahead; at most ${ContractLimits.maxStepsPerTick} per call`,
      );
    }
    const appends: Promise<void>[] = [];
    for (let i = 0; i < steps; i++) {
      const written = runtime.stepOnce();
      if (written) appends.push(written);
    }
    await Promise.all(appends);
    await runtime.logged();
    return { runtime, steps };
  }

  /** The world's snapshot. */
  snapshot(worldId: string): SimulationSnapshot {
    return this.get(worldId).sim.snapshot();
  }

  /** Replaces (or creates) a world from snapshot state; the old world is untouched on error. */
  async restore(
    worldId: string,
    state: Uint8Array,
    stateHash: string,
    caller = UNNAMED_CALLER,
  ): Promise<WorldRuntime> {
    if (stateHash && stateHash !== sha256(state))
      throw new InvalidCommandError('state_hash does not match sha256(state)');
    const previous = this.worlds.get(worldId);
    if (!previous) this.refuseWhileDraining(worldId);
    const reserved = !this.quota.holds(worldId);
    if (reserved) this.quota.reserve(caller, worldId);
    let acquired = false;
    try {
      const settings = decodeState(state).header.settings;
      const epoch = previous
        ? previous.epoch
        : (await this.acquire(worldId, { settings, caller })).epoch;
      acquired = !previous;
      const sim = WorldSimulation.restore(this.deps.rapier, state, this.simOptions);
      const { limits } = this.deps.config;
      const others = this.totalBodies() - (previous?.sim.projectedBodyCount ?? 0);
      if (sim.settings.maxBodies > limits.maxBodiesPerWorld) {
        sim.free();
        throw new InvalidCommandError(
          `state allows ${sim.settings.maxBodies} bodies, over this engine's limit`,
        );
      }
      if (others + sim.projectedBodyCount > limits.maxBodiesTotal) {
        sim.free();
        throw new CapacityError(
          `state holds ${sim.projectedBodyCount} bodies; with the other worlds' ${others} that is over ${limits.maxBodiesTotal} (MAX_BODIES_TOTAL)`,
        );
      }
      // The log goes on with the next seq (a Restore itself is not logged: docs/engine-contract.md).
      const logSeq = previous?.logSeq ?? 0;
      if (previous) {
        this.worlds.delete(worldId);
        await previous.close();
      }
      return await this.serve(worldId, sim, logSeq, epoch);
    } catch (error) {
      if (reserved && !this.worlds.has(worldId) && !this.pending.has(worldId))
        this.quota.release(worldId);
      if (acquired && !this.worlds.has(worldId)) await this.releaseQuietly(worldId);
      throw error;
    }
  }

  /**
   * Removes a world: its loop stops, its publishes and checkpoint in flight settle, its Rapier
   * world is freed and its quota slot released. False when the engine does not run it.
   */
  async close(worldId: string): Promise<boolean> {
    const pending = this.pending.get(worldId);
    if (pending) await pending.catch(() => undefined);
    const runtime = this.worlds.get(worldId);
    if (!runtime) return false;
    this.worlds.delete(worldId);
    this.quota.release(worldId);
    await runtime.close();
    // Everything it wrote is settled: another replica may take the world at once.
    await this.releaseQuietly(worldId);
    return true;
  }

  /**
   * Drops a world whose lease this replica lost (another replica may run it already): its loop
   * stops and callers waiting get UNAVAILABLE; nothing more of it is acknowledged, and what it
   * still writes carries its old epoch, which the stores and readers refuse.
   */
  async lose(worldId: string, reason: string): Promise<void> {
    const runtime = this.worlds.get(worldId);
    if (!runtime) return;
    this.logger.warn(`world ${worldId}: lost, ${reason}; it stops here`);
    this.metrics.lost.inc();
    this.worlds.delete(worldId);
    this.quota.release(worldId);
    this.deps.ownership?.forget(worldId);
    await runtime.close();
  }

  /**
   * Seconds since the state of the least recently saved world here was last durable (its last
   * checkpoint, else its start here); undefined without worlds that checkpoint.
   */
  private oldestCheckpointAgeSeconds(): number | undefined {
    let oldest = Infinity;
    for (const runtime of this.worlds.values())
      oldest = Math.min(oldest, runtime.stats().checkpoints?.durableSince ?? Infinity);
    return Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : undefined;
  }

  /** Worlds running (and being created) now. */
  get size(): number {
    return this.quota.size;
  }

  /** Looks a world up (NOT_FOUND when unknown). */
  get(worldId: string): WorldRuntime {
    const runtime = this.worlds.get(worldId);
    if (!runtime) throw new WorldNotFoundError(worldId);
    return runtime;
  }

  /**
   * Drains the replica (it stops; docs/decisions.md, "Moving a world"): no world starts here
   * from now on, and, once `beforeHandover` settled (the worlds run meanwhile), every world is
   * handed over (`handOver`), to the replica it names for it if any.
   */
  async closeAll(beforeHandover?: () => Promise<TakerOf | void>): Promise<void> {
    this.draining = true;
    await Promise.all([...this.pending.values()].map((p) => p.catch(() => undefined)));
    const takerOf = (await beforeHandover?.()) ?? undefined;
    await Promise.all(
      [...this.worlds.keys()].map((worldId) => this.handOver(worldId, takerOf?.(worldId))),
    );
  }

  /** The worlds running here, by id. */
  ids(): string[] {
    return [...this.worlds.keys()];
  }

  /**
   * Moves a world away (a drain, a rebalance): stops it at a tick boundary and, with ownership,
   * hands it over: the checkpoint of that tick is saved and the lease released with where it
   * stopped, so another replica takes it over at once and resumes it from there, with no log to
   * replay; `to` names that replica (it is told at once). Resolves with where it stopped
   * (undefined when it left without a handover: its next owner restores it from checkpoint and
   * log). NOT_FOUND when it does not run here.
   */
  async handOver(worldId: string, to?: string): Promise<WorldHandover | undefined> {
    const runtime = this.get(worldId);
    this.worlds.delete(worldId);
    this.quota.release(worldId);
    // Without ownership nobody takes it over: it stops, and its next Init restores it.
    if (!this.deps.ownership) {
      await runtime.close();
      return undefined;
    }
    const began = performance.now();
    const handover = await inSpan(
      'world handover',
      context.active(),
      { attributes: { 'anvil.world.id': worldId } },
      async (span) => {
        const stopped = await runtime.handOver();
        await this.releaseQuietly(worldId, false, stopped, to);
        span.setAttribute('anvil.handover.result', stopped ? 'handed_over' : 'without_handover');
        if (stopped)
          span.setAttributes({ 'anvil.tick': stopped.tick, 'anvil.log.seq': stopped.logSeq });
        return stopped;
      },
    );
    this.metrics.handovers.inc({ result: handover ? 'handed_over' : 'without_handover' });
    const ended = performance.now();
    const ms = Math.round(ended - began);
    if (handover)
      this.logger.log(
        `world ${worldId}: handed over at tick ${handover.tick}, log seq ${handover.logSeq}, in ${ms} ms (${closeStepsText(runtime.closeSteps, began, ended)})`,
      );
    else
      this.logger.warn(
        `world ${worldId}: left without a handover (in ${ms} ms): its next owner restores it from checkpoint and log`,
      );
    return handover;
  }

  /**
   * Rebalance: hands over the world here that is cheapest to move (fewest bodies, then id) to
   * `to`; nothing when none runs here.
   */
  async shedOne(to?: string): Promise<void> {
    const [lightest] = [...this.worlds.values()].sort(
      (a, b) =>
        a.sim.projectedBodyCount - b.sim.projectedBodyCount ||
        (a.worldId < b.worldId ? -1 : a.worldId > b.worldId ? 1 : 0),
    );
    if (!lightest) return;
    this.logger.log(
      `world ${lightest.worldId}: handed to a less loaded replica${to ? ` (${to})` : ''} (rebalance)`,
    );
    await this.handOver(lightest.worldId, to);
  }

  /** UNAVAILABLE while the replica drains: the caller finds the world on another replica. */
  private refuseWhileDraining(worldId: string): void {
    if (this.draining)
      throw new EngineUnavailableError(
        `this physics replica is shutting down; world "${worldId}" goes on on another replica`,
      );
  }

  private start(
    worldId: string,
    sim: WorldSimulation,
    logSeq: number,
    epoch: number,
    marker = true,
  ): WorldRuntime {
    const { tick, bus } = this.deps.config;
    const publisher = new DeltaPublisher(
      this.deps.bus,
      worldId,
      (error, t) => {
        this.metrics.deltaFailures.inc();
        this.logger.error(
          `world ${worldId}: publishing the delta of tick ${t} failed: ${String(error)}`,
        );
      },
      bus.topicPrefix,
      epoch,
    );
    const loop =
      tick.mode === 'auto'
        ? {
            hz: tick.hz,
            maxCatchUpSteps: tick.maxCatchUpSteps,
            clock: this.deps.clock,
            timers: this.deps.timers,
            onWake: (lateMs: number, steps: number) => {
              this.metrics.tickLag.observe(lateMs / 1000);
              this.metrics.steps.inc(steps);
            },
            onLag: (dropped: number) => {
              this.metrics.droppedSteps.inc(dropped);
              this.logger.warn(`world ${worldId}: overloaded, dropped ${dropped} steps`);
            },
            onError: (error: unknown) =>
              this.logger.error(
                `world ${worldId}: a step failed, the world is stopped: ${String(error)}`,
                (error as Error)?.stack,
              ),
          }
        : undefined;
    const { ownership } = this.deps;
    const log = new CommandLogWriter(this.deps.bus, worldId, {
      topicPrefix: bus.topicPrefix,
      lastSeq: logSeq,
      epoch,
      fence: ownership ? () => ownership.refusal(worldId, epoch) : undefined,
      timers: this.deps.timers,
      onError: (error, seq) =>
        this.logger.error(
          `world ${worldId}: writing command-log entry ${seq} failed (commands are refused until it is written): ${String(error)}`,
        ),
    });
    const runtime = new WorldRuntime(
      worldId,
      sim,
      publisher,
      log,
      loop,
      this.deps.checkpoints?.forWorld(worldId, epoch),
      epoch,
      marker,
    );
    this.worlds.set(worldId, runtime);
    return runtime;
  }
}

/** True when the lease was handed over at `checkpoint` by the holder just before this one. */
function leftAt(
  checkpoint: Checkpoint,
  handedOver: Record<string, unknown> | undefined,
  epoch: number,
): boolean {
  return (
    handedOver !== undefined &&
    checkpoint.epoch === epoch - 1 &&
    checkpoint.tick === handedOver.tick &&
    checkpoint.logSeq === handedOver.logSeq
  );
}

/** `log 12, deltas 30, checkpoint in flight 0, checkpoint 45, release 8` (ms from `began`, then each step's own). */
function closeStepsText(steps: CloseSteps, began: number, ended: number): string {
  const since = (at: number | undefined) => Math.round((at ?? began) - began);
  const settled = Math.max(steps.log ?? began, steps.deltas ?? began, steps.checkpoints ?? began);
  const saved = steps.saved ?? settled;
  return [
    `log ${since(steps.log)}`,
    `deltas ${since(steps.deltas)}`,
    `checkpoint in flight ${since(steps.checkpoints)}`,
    `checkpoint ${Math.round(saved - settled)}`,
    `release ${Math.round(ended - saved)}`,
  ].join(', ');
}
