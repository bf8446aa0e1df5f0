import type { World } from '@dimforge/rapier2d-deterministic-compat';
import {
  EngineBusyError,
  InvalidCommandError,
  type BodyView,
  type PhysicsIntent,
  type WorldSettings,
} from '@anvil/engine-contract';
import type { Rapier } from './rapier';
import { buildArena } from './arena';
import { applyIntent, type BodyTable } from './apply-intent';
import { checkIntent, type ProjectedBodies } from './intent-rules';
import { MotionTracker } from './motion-tracker';
import { newBodyRecord, type BodyMotion, type BodyRecord } from './quantise';
import {
  STATE_FORMAT_VERSION,
  decodeState,
  encodeState,
  sha256,
  type BodyEntry,
  type StateHeader,
} from './state-codec';

const byId = (a: BodyRecord, b: BodyRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Engine-level knobs of a simulation (not part of its state). */
export interface SimulationOptions {
  /** Seconds per step (1 / tick rate). */
  dtSeconds: number;
  /** Most intents queued between two ticks; more is RESOURCE_EXHAUSTED. */
  maxQueuedIntents: number;
}

/** What one step changed. */
export interface StepResult {
  /** The tick just completed. */
  tick: number;
  /** Bodies whose quantised motion changed (or that were spawned), sorted by id. */
  changed: BodyMotion[];
  /** Bodies removed at this tick's boundary. */
  removed: string[];
  /** The intents applied at this tick's boundary, in apply order (what the command log records). */
  applied: PhysicsIntent[];
}

/** A world's state as Snapshot returns it. */
export interface SimulationSnapshot {
  tick: number;
  stateHash: string;
  state: Buffer;
  /** Sorted by id. */
  bodies: BodyView[];
}

/**
 * One world's authoritative simulation, free of Nest and gRPC: intents are validated when
 * queued and applied at the next tick boundary; `step` advances exactly one fixed step and
 * reports the quantised changes; `snapshot`/`restore` round-trip the whole state.
 */
export class WorldSimulation {
  private readonly bodies: BodyTable = new Map();
  private readonly projected: ProjectedBodies = new Map();
  private pending: PhysicsIntent[] = [];
  private readonly motions: MotionTracker;
  private currentTick = 0;
  private freed = false;

  private constructor(
    private readonly rapier: Rapier,
    private world: World,
    readonly settings: WorldSettings,
    private readonly options: SimulationOptions,
  ) {
    this.motions = new MotionTracker(world, this.bodies);
  }

  /** A new world: arena built, no bodies, tick 0. */
  static create(
    rapier: Rapier,
    settings: WorldSettings,
    options: SimulationOptions,
  ): WorldSimulation {
    const world = new rapier.World({ x: 0, y: settings.gravityYMmS2 / 1000 });
    world.timestep = options.dtSeconds;
    buildArena(rapier, world, settings);
    return new WorldSimulation(rapier, world, settings, options);
  }

  /** A world rebuilt from `snapshot().state` (INVALID_ARGUMENT when the bytes are not one). */
  static restore(rapier: Rapier, state: Uint8Array, options: SimulationOptions): WorldSimulation {
    const { header, rapierSnapshot } = decodeState(state);
    const world = rapier.World.restoreSnapshot(rapierSnapshot);
    if (!world) throw new InvalidCommandError('state holds no valid physics world');
    const sim = new WorldSimulation(rapier, world, header.settings, options);
    sim.load(header);
    return sim;
  }

  /** The last completed tick. */
  get tick(): number {
    return this.currentTick;
  }

  /** Number of bodies now (before queued intents apply). */
  get bodyCount(): number {
    return this.bodies.size;
  }

  /** Number of bodies once the queued intents apply (what the body limits count). */
  get projectedBodyCount(): number {
    return this.projected.size;
  }

  /**
   * Validates an intent and queues it for the next tick boundary; returns that tick. Throws
   * (and changes nothing) when the intent is invalid for the world as it will be, or when
   * `bounded` and the queue is full.
   */
  enqueue(intent: PhysicsIntent, bounded = true): number {
    // Replay re-queues a logged batch whole, whatever the queue bound is now.
    if (bounded && this.pending.length >= this.options.maxQueuedIntents) {
      throw new EngineBusyError(
        `command queue is full (${this.options.maxQueuedIntents} per tick)`,
      );
    }
    // checkIntent throws before it changes anything, so the projection needs no copy.
    checkIntent(intent, this.projected, this.settings);
    this.pending.push(structuredClone(intent));
    return this.currentTick + 1;
  }

  /** Applies the queued intents, advances one fixed step and returns what changed. */
  step(): StepResult {
    const touched = new Set<string>();
    const removed: string[] = [];
    for (const intent of this.pending) {
      const id = applyIntent(this.rapier, this.world, this.bodies, intent);
      if (intent.type === 'removeBody') removed.push(id);
      else touched.add(id);
      if (intent.type === 'removeBody' || intent.type === 'spawnBody') this.motions.invalidate();
    }
    const applied = this.pending;
    this.pending = [];
    this.world.step();
    this.currentTick++;
    return { tick: this.currentTick, changed: this.diff(touched), removed, applied };
  }

  /** Number of intents queued for the next tick boundary. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Drops the queued intents (and their projected effect). Replay does this after restoring a
   * checkpoint: the log entry of the next tick carries them (docs/engine-contract.md, "The
   * command log").
   */
  discardPending(): void {
    this.pending = [];
    this.projected.clear();
    for (const [id, record] of this.bodies) this.projected.set(id, record.kind);
  }

  /** The bodies whose quantised motion changed (or that were spawned), sorted by id. */
  private diff(touched: Set<string>): BodyMotion[] {
    return this.motions.changes(this.currentTick, touched);
  }

  /** Quantised views of all bodies, sorted by id. */
  views(): BodyView[] {
    return this.motions.views();
  }

  /** The whole state (header + Rapier snapshot), its sha256 and the body views. */
  snapshot(): SimulationSnapshot {
    const state = this.encode();
    return { tick: this.currentTick, stateHash: sha256(state), state, bodies: this.views() };
  }

  /** sha256 of the state bytes. */
  stateHash(): string {
    return sha256(this.encode());
  }

  /** Frees the Rapier world's WASM memory (once); the simulation is unusable afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.world.free();
  }

  private encode(): Buffer {
    const bodies: BodyEntry[] = [...this.bodies.values()]
      .sort(byId)
      .map((r) => [r.id, r.handle, r.kind, r.shape, r.halfWidthMm, r.halfHeightMm]);
    const header: StateHeader = {
      v: STATE_FORMAT_VERSION,
      tick: this.currentTick,
      settings: this.settings,
      bodies,
      pending: this.pending,
    };
    return encodeState(header, this.world.takeSnapshot());
  }

  private load(header: StateHeader): void {
    this.currentTick = header.tick;
    for (const [id, handle, kind, shape, halfWidthMm, halfHeightMm] of header.bodies) {
      const body = this.world.getRigidBody(handle);
      if (!body)
        throw new InvalidCommandError(`state is inconsistent: body "${id}" has no physics body`);
      this.bodies.set(
        id,
        newBodyRecord({ id, handle, kind, shape, halfWidthMm, halfHeightMm, body }),
      );
      this.projected.set(id, kind);
    }
    this.motions.wakeActive();
    for (const intent of header.pending) {
      checkIntent(intent, this.projected, this.settings);
      this.pending.push(intent);
    }
  }
}
