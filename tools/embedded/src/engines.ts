// The data plane as the host runs it: starts and stops the apps of a wiring, and keeps what it
// knows of each world on them (started or not, props, players).
import type { EventBus } from '@anvil/bus';
import { anyOrphaned, placementOf } from '@anvil/control-plane';
import type { WorldPlacement } from '@anvil/capability-model';
import type { EngineClient } from '@anvil/engine-contract';
import type { Storage } from '@anvil/storage';
import { startDataPlane, stopDataPlane, type Plane } from './data-plane';
import { ApiError } from './http';
import type { Options } from './options';
import type { Registry } from './registry';
import { PHYSICS_ROLE, type ReplicaInfo, type ReplicaSet } from './replicas';
import type { PlaneState } from './status';
import type { WorldEvent } from './view-feed';
import type { Wiring } from './wiring';
import { messageOf } from './workspace';
import {
  adoptWorld,
  closeWorld,
  newRuntime,
  physicsClient,
  releaseWorld,
  snapshotWorld,
  type WorldRuntime,
} from './worlds';

export interface EnginesContext {
  bus: EventBus;
  storage: Storage;
  registry: Registry;
  options: Options;
  secret: string;
  log: (line: string) => void;
  warn: (line: string) => void;
}

export class Engines {
  plane: Plane | undefined;
  state: PlaneState = 'starting';
  readonly runtimes = new Map<string, WorldRuntime>();
  /** The gateway's port: kept across restarts, so the page's URL stays right. */
  private gatewayPort: number;
  private wiring: Wiring | undefined;

  constructor(private readonly ctx: EnginesContext) {
    this.gatewayPort = ctx.options.gatewayPort;
  }

  /** Starts the apps of `wiring`; throws when they do not start. */
  async start(wiring: Wiring, corsOrigins: string[]): Promise<void> {
    this.wiring = wiring;
    this.state = 'starting';
    try {
      const { bus, storage, options, secret, log } = this.ctx;
      const ctx = {
        bus,
        storage,
        options,
        secret,
        log,
        corsOrigins,
        gatewayPort: this.gatewayPort,
      };
      this.plane = await startDataPlane(wiring, ctx);
      this.gatewayPort = this.plane.gateway?.port ?? this.gatewayPort;
      this.state = 'running';
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
  }

  /** Stops the apps; every world is then not started any more. */
  async stop(): Promise<void> {
    for (const runtime of this.runtimes.values()) releaseWorld(runtime);
    const plane = this.plane;
    this.plane = undefined;
    this.state = 'starting';
    if (plane) await stopDataPlane(plane, this.ctx.warn);
  }

  /**
   * Tracks exactly the given worlds of `wiring`: a new one (or every one, after a restart) learns
   * the tick of the checkpoint it will continue from; a removed one is closed on its engines.
   */
  async track(ids: readonly string[], fresh: boolean, wiring: Wiring): Promise<void> {
    for (const [id, runtime] of this.runtimes) {
      if (ids.includes(id)) continue;
      releaseWorld(runtime);
      this.runtimes.delete(id);
      const wiring = this.wiring?.worlds.get(id);
      if (this.plane && wiring)
        await closeWorld(this.plane, wiring, id).catch((error: unknown) =>
          this.ctx.warn(`world ${id}: closing it on its engines failed: ${messageOf(error)}`),
        );
    }
    this.wiring = wiring;
    for (const id of ids)
      if (fresh || !this.runtimes.has(id)) {
        const players = this.runtimes.get(id)?.players;
        const runtime = newRuntime(await this.ctx.registry.checkpointTick(id));
        for (const p of players ?? []) runtime.players.add(p);
        this.runtimes.set(id, runtime);
      }
  }

  /** Every event of a world: a world not seen before was just started by the gateway. */
  onActivity(worldId: string, event?: WorldEvent): void {
    const runtime = this.runtimes.get(worldId);
    if (!runtime) return;
    if (event?.type === 'player-joined') runtime.players.add(event.playerId);
    if (event?.type === 'player-left') runtime.players.delete(event.playerId);
    if (runtime.started || adopting.has(runtime)) return;
    const physics = this.physicsOf(worldId);
    if (!physics) return;
    adopting.add(runtime);
    adoptWorld(physics, worldId, runtime, this.ctx.options.props, () => this.physicsOf(worldId))
      .then(() => {
        if (runtime.checkpointTick !== undefined)
          this.ctx.log(
            `  world ${worldId}: continued from its checkpoint at tick ${runtime.checkpointTick}`,
          );
      })
      .catch((error: unknown) => this.ctx.warn(`world ${worldId}: ${messageOf(error)}`))
      .finally(() => adopting.delete(runtime));
  }

  /** The client of the physics engine (the replica) that runs the world now, if one does. */
  private physicsOf(worldId: string): EngineClient | undefined {
    const wiring = this.wiring?.worlds.get(worldId);
    return (this.plane && wiring && physicsClient(this.plane, wiring, worldId)) || undefined;
  }

  /** The world's bodies, from its physics engine. */
  snapshot(worldId: string) {
    const physics = this.physicsOf(worldId);
    if (!physics) {
      const wiring = this.wiring?.worlds.get(worldId);
      if (!this.plane || !wiring?.runnable) throw new Error(`world ${worldId} does not run here`);
      throw new Error(
        this.runtimes.get(worldId)?.started
          ? `world ${worldId} is moving to another physics replica (its replica stopped); it goes on there in a moment`
          : `world ${worldId} has not started yet: it starts when its first player joins`,
      );
    }
    return snapshotWorld(physics, worldId);
  }

  /** The physics modules' replicas running now. */
  private replicaSets(): ReplicaSet[] {
    return [...(this.plane?.running.values() ?? [])].flatMap((r) =>
      r.replicas ? [r.replicas] : [],
    );
  }

  /** Every physics replica, with the worlds (of `worldIds`) each runs now. */
  replicas(worldIds: readonly string[]): ReplicaInfo[] {
    return this.replicaSets().flatMap((set) => set.list(worldIds));
  }

  /**
   * Stops or starts one physics replica (the web view's buttons); ApiError when it cannot:
   * 404 unknown replica, 409 not in a state to do it (or the last one running), 503 while the
   * data plane (re)starts.
   */
  async replicaAction(id: string, action: 'stop' | 'start', worldIds: readonly string[]) {
    if (!this.plane || this.state !== 'running')
      throw new ApiError(
        503,
        'DATA_PLANE_NOT_RUNNING',
        `the data plane is ${this.state === 'failed' ? 'not running (see the terminal)' : 'starting'}; try again in a moment`,
      );
    const sets = this.replicaSets();
    const set = sets.find((s) => s.has(id));
    if (!set) {
      const known = sets.flatMap((s) => s.ids());
      throw new ApiError(
        404,
        'REPLICA_NOT_FOUND',
        `no physics replica "${id}" (replicas: ${known.join(', ') || 'none'})`,
      );
    }
    return action === 'stop' ? set.stop(id, worldIds) : set.start(id, worldIds);
  }

  /**
   * Where each world's physics runs, from its lease in storage (the controller's
   * status.placement in a cluster); empty when storage cannot be read.
   */
  async placements(): Promise<Map<string, WorldPlacement>> {
    const { storage } = this.ctx;
    const leases = await storage.leases
      .list(PHYSICS_ROLE, { limit: 1_000 })
      .catch((error: unknown) => {
        this.ctx.warn(`reading the world leases failed: ${messageOf(error)}`);
        return [];
      });
    // As the controller: only an orphan needs the live replicas' newest format (why it waits).
    const readable = anyOrphaned(leases)
      ? await storage.replicas.readableFormat(PHYSICS_ROLE).catch(() => undefined)
      : undefined;
    return new Map(leases.map((lease) => [lease.worldId, placementOf(lease, readable)!]));
  }

  /**
   * The world's figures from the analytics module it binds (its HTTP answer, passed through);
   * throws when none runs for it.
   */
  async figures(worldId: string): Promise<{ status: number; body: unknown }> {
    const sink = [...(this.plane?.sinks.values() ?? [])].find((s) =>
      s.spec.worlds.includes(worldId),
    );
    if (!sink) throw new Error(`no analytics module runs for world ${worldId}`);
    const res = await fetch(`${sink.url}/worlds/${encodeURIComponent(worldId)}/figures`, {
      signal: AbortSignal.timeout(3_000),
    });
    return { status: res.status, body: await res.json() };
  }

  /** `host:port` of the engine (or sink) running `module` for a world, if one does. */
  addressOf = (worldId: string, module: string): string | undefined => {
    const wiring = this.wiring?.worlds.get(worldId);
    const service = wiring?.services.find((s) => s.module === module);
    if (service) return this.plane?.running.get(service.port)?.address;
    const sink = [...(this.plane?.sinks.values() ?? [])].find(
      (s) => s.spec.module === module && s.spec.worlds.includes(worldId),
    );
    return sink && new URL(sink.url).host;
  };

  get gatewayUrl(): string | undefined {
    return this.plane?.gateway?.url;
  }

  get port(): number {
    return this.plane?.gateway?.port ?? this.gatewayPort;
  }
}

/** Worlds being adopted (their first events may come many at a time). */
const adopting = new WeakSet<WorldRuntime>();
