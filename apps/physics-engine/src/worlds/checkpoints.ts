import type { Checkpoint, Storage } from '@anvil/storage';
import { PHYSICS_ROLE } from '@anvil/ownership';
import { batchTrace, inSpan, linkTo } from '@anvil/telemetry';
import type { SimulationSnapshot, WorldSimulation } from '../simulation/world-simulation';

/** Commands a checkpoint's span links to (a busy world applies thousands between two). */
const MAX_CHECKPOINT_LINKS = 32;

/** The shard the physics engine checkpoints (it runs each world whole). */
export const CHECKPOINT_SHARD = 0;

/** Counters of one world's checkpoints. */
export interface CheckpointStats {
  saved: number;
  failed: number;
  /** N-th ticks passed over because the previous save was still in flight. */
  skipped: number;
  inFlight: boolean;
  /** Tick of the last checkpoint saved by this engine (0: none yet). */
  lastTick: number;
  /** When its state was last known durable: the last save, else when it started here (ms since the epoch). */
  durableSince: number;
}

/** What the checkpoint service needs. */
export interface CheckpointOptions {
  storage: Storage;
  /** Checkpoint after every N-th tick; 0 disables writing (restoring still works). */
  everyTicks: number;
  /** Checkpoints kept per world after each save. */
  keep: number;
  onError: (worldId: string, tick: number, error: unknown) => void;
}

/**
 * Periodic checkpoints of the engine's worlds in `@anvil/storage`, and the lookup that restores
 * them on Init. Saving never blocks or breaks the tick loop: the snapshot is taken synchronously
 * at the tick, the save (world row upsert, save, prune) runs in the background, failures are
 * counted and reported through `onError`, and at most one save per world is in flight.
 */
export class CheckpointService {
  /** Worlds whose storage row is known to exist (the checkpoints' foreign key). */
  private readonly known = new Set<string>();

  constructor(private readonly options: CheckpointOptions) {}

  /** The newest checkpoint of a world, or null. */
  latest(worldId: string): Promise<Checkpoint | null> {
    return this.options.storage.checkpoints.latest(worldId, CHECKPOINT_SHARD);
  }

  /**
   * The checkpoint writer of one world; with a lease epoch (> 0) its saves are fenced: refused
   * once another replica acquired the world.
   */
  forWorld(worldId: string, epoch = 0): WorldCheckpoints {
    return new WorldCheckpoints(
      worldId,
      this.options.everyTicks,
      (snap, log) => this.save(worldId, snap, log, epoch),
      (tick, error) => this.options.onError(worldId, tick, error),
    );
  }

  private async save(
    worldId: string,
    snap: SimulationSnapshot,
    log: CheckpointLog,
    epoch: number,
  ): Promise<void> {
    const { storage, keep } = this.options;
    if (!this.known.has(worldId)) {
      if (!(await storage.worlds.get(worldId))) {
        await storage.worlds.upsert({
          id: worldId,
          namespace: 'physics-engine',
          name: worldId,
          game: 'unknown',
          region: 'local',
          shards: 1,
          phase: 'Running',
        });
      }
      this.known.add(worldId);
    }
    await storage.checkpoints.save({
      worldId,
      shard: CHECKPOINT_SHARD,
      tick: snap.tick,
      stateHash: snap.stateHash,
      state: snap.state,
      logSeq: log.seq,
      ...(log.appendedAt === undefined ? {} : { logAppendedAt: new Date(log.appendedAt) }),
      ...(epoch > 0 ? { lease: { role: PHYSICS_ROLE, epoch } } : {}),
    });
    await storage.checkpoints.prune(worldId, keep, CHECKPOINT_SHARD);
  }
}

/** Where a checkpoint's state is in the world's command log, as its row records it. */
export interface CheckpointLog {
  /** The seq of the last entry applied at or before the checkpoint's tick (0: none). */
  seq: number;
  /** When that entry was appended (epoch ms; undefined: not known), so a restore reads from then. */
  appendedAt?: number;
}

/** A checkpoint's log position while the entry may still be on its way to the bus. */
export interface CheckpointLogPosition extends CheckpointLog {
  /** Resolves once that entry is acknowledged by the bus. */
  logged(): Promise<void>;
}

/** One world's checkpoint writer, called after every step. */
export class WorldCheckpoints {
  private inFlight?: Promise<void>;
  private readonly counters = {
    saved: 0,
    failed: 0,
    skipped: 0,
    lastTick: 0,
    durableSince: Date.now(),
  };
  /** Traces of the commands applied since the last save started (bounded). */
  private traces: string[] = [];

  constructor(
    readonly worldId: string,
    private readonly everyTicks: number,
    private readonly save: (snap: SimulationSnapshot, log: CheckpointLog) => Promise<void>,
    private readonly onError: (tick: number, error: unknown) => void,
  ) {}

  /**
   * Starts a background save when the world just reached an N-th tick. Never throws. `log` is
   * the command-log position the state includes; the save waits until it is acknowledged.
   */
  afterStep(
    sim: WorldSimulation,
    log?: CheckpointLogPosition,
    traces: readonly string[] = [],
  ): void {
    if (this.everyTicks <= 0) return;
    for (const trace of traces)
      if (this.traces.length < MAX_CHECKPOINT_LINKS) this.traces.push(trace);
    if (sim.tick === 0 || sim.tick % this.everyTicks !== 0) return;
    if (this.inFlight) {
      this.counters.skipped++;
      return;
    }
    const tick = sim.tick;
    let saving: Promise<void>;
    try {
      // Taken now, synchronously, so it is the state of this very tick.
      const snap = sim.snapshot();
      const position = { seq: log?.seq ?? 0, appendedAt: log?.appendedAt };
      const traces = this.takeTraces();
      saving = (log ? log.logged() : Promise.resolve()).then(() =>
        this.traced('periodic', snap.tick, traces, () => this.save(snap, position)),
      );
    } catch (error) {
      saving = Promise.reject(error);
    }
    this.inFlight = saving
      .then(
        () => {
          this.counters.saved++;
          this.counters.lastTick = tick;
          this.counters.durableSince = Date.now();
        },
        (error: unknown) => {
          this.counters.failed++;
          this.onError(tick, error);
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /**
   * Saves `snap` now, after the save in flight (a handover's checkpoint); its log entries must be
   * acknowledged already. False when checkpoints are off, or (reported through onError) when it
   * could not be saved.
   */
  async saveNow(snap: SimulationSnapshot, log: CheckpointLog): Promise<boolean> {
    if (this.everyTicks <= 0) return false;
    await this.flush();
    try {
      await this.traced('handover', snap.tick, this.takeTraces(), () => this.save(snap, log));
    } catch (error) {
      this.counters.failed++;
      this.onError(snap.tick, error);
      return false;
    }
    this.counters.saved++;
    this.counters.lastTick = snap.tick;
    this.counters.durableSince = Date.now();
    return true;
  }

  private takeTraces(): string[] {
    const traces = this.traces;
    this.traces = [];
    return traces;
  }

  /**
   * A save in a `checkpoint write` span: child of the first sampled command it makes durable,
   * linked to the others, so a command's trace shows when its effect reached storage.
   */
  private traced(
    reason: string,
    tick: number,
    traces: string[],
    save: () => Promise<void>,
  ): Promise<void> {
    const parent = batchTrace(traces);
    const links = traces
      .filter((trace) => trace !== parent)
      .flatMap((trace) => linkTo(trace) ?? []);
    const attributes = {
      'anvil.world.id': this.worldId,
      'anvil.tick': tick,
      'anvil.checkpoint.reason': reason,
    };
    return inSpan('checkpoint write', parent, { attributes, links }, save);
  }

  /** Resolves when the save in flight (if any) has settled. */
  async flush(): Promise<void> {
    await this.inFlight;
  }

  stats(): CheckpointStats {
    return { ...this.counters, inFlight: this.inFlight !== undefined };
  }
}
