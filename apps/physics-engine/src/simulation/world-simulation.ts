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
import { AppliedKeys, intentEntityId, type KeyedResult } from './applied-keys';
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
  /** Idempotency keys remembered (default MAX_APPLIED_KEYS), oldest evicted. */
  maxAppliedKeys?: number;
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
  /** Their idempotency keys, parallel to `applied` ('' for none); absent when none has one. */
  keys?: string[];
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
  /** The idempotency keys of `pending`, parallel to it ('' for none). */
  private pendingKeys: string[] = [];
  /** The keyed intents of `pending`, by key. */
  private readonly pendingKeyed = new Map<string, KeyedResult>();
  /** The keys of the intents applied lately (not part of the state: the log records them). */
  private readonly appliedKeys: AppliedKeys;
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
    this.appliedKeys = new AppliedKeys(options.maxAppliedKeys);
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
   * `bounded` and the queue is full. A non-empty `key` (its idempotency key) is remembered with
   * it; the caller checks `keyed` first (a repeat is not queued again), replay does not (the log
   * is what happened).
   */
  enqueue(intent: PhysicsIntent, bounded = true, key = ''): number {
    // Replay re-queues a logged batch whole, whatever the queue bound is now.
    if (bounded && this.pending.length >= this.options.maxQueuedIntents) {
      throw new EngineBusyError(
        `command queue is full (${this.options.maxQueuedIntents} per tick)`,
      );
    }
    // checkIntent throws before it changes anything, so the projection needs no copy.
    checkIntent(intent, this.projected, this.settings);
    this.pending.push(structuredClone(intent));
    this.pendingKeys.push(key);
    const applyTick = this.currentTick + 1;
    if (key) this.pendingKeyed.set(key, { applyTick, entityId: intentEntityId(intent) });
    return applyTick;
  }

  /**
   * The result of the intent queued or applied with idempotency key `key` (`pending` while it
   * waits for the next tick boundary), if the world still remembers it: the last
   * `maxAppliedKeys` applied keys, and those the log replayed into this world.
   */
  keyed(key: string): (KeyedResult & { pending: boolean }) | undefined {
    const queued = this.pendingKeyed.get(key);
    if (queued) return { ...queued, pending: true };
    const applied = this.appliedKeys.get(key);
    return applied && { ...applied, pending: false };
  }

  /** Idempotency keys of applied intents remembered now. */
  get appliedKeyCount(): number {
    return this.appliedKeys.size;
  }

  /**
   * Remembers the keys of a batch applied at `tick` before this world's state (`keys` parallel
   * to `intents`): replay learns those of the log entries a checkpoint already holds.
   */
  learnKeys(tick: number, intents: readonly PhysicsIntent[], keys?: readonly string[]): void {
    this.appliedKeys.learn(tick, intents, keys);
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
    const keys = this.pendingKeyed.size > 0 ? this.pendingKeys : undefined;
    this.pending = [];
    this.pendingKeys = [];
    this.pendingKeyed.clear();
    this.world.step();
    this.currentTick++;
    this.appliedKeys.learn(this.currentTick, applied, keys);
    const result: StepResult = {
      tick: this.currentTick,
      changed: this.diff(touched),
      removed,
      applied,
    };
    if (keys) result.keys = keys;
    return result;
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
    this.pendingKeys = [];
    this.pendingKeyed.clear();
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
      // The state does not record keys: a restored pending intent has none.
      this.pendingKeys.push('');
    }
  }
}
