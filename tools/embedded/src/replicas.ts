// A physics module's replicas in this process (`--replicas N`): N physics engines, each with its
// own REPLICA_ID and gRPC port, on the host's storage and bus, so the same ownership code as in
// a cluster decides which one runs each world (leases, takeover of orphans, callers following
// the owner). With more than one, a Service-like proxy on the module's endpoint port is the
// address callers are given (docs/embedded.md, "Physics replicas"). A replica can be stopped
// (its worlds are left as orphans, which the others take over at once) and started again.
import type { EngineClient } from '@anvil/engine-contract';
import type { RunningPhysicsEngine } from '@anvil/physics-engine';
import { ApiError } from './http';
import { startServiceProxy, type ServiceProxy } from './service-proxy';
import type { EngineSpec } from './wiring';
import { messageOf } from './workspace';

/** The lease role of physics engines (`PHYSICS_ROLE` of @anvil/ownership). */
export const PHYSICS_ROLE = 'physics';

export type ReplicaState = 'starting' | 'running' | 'stopping' | 'stopped';

/** A replica as the API shows it. */
export interface ReplicaInfo {
  id: string;
  index: number;
  app: string;
  module: string;
  version: string;
  /** The module's endpoint port (its Service's, when it has several replicas). */
  endpointPort: number;
  state: ReplicaState;
  /** Its own gRPC address while it runs (where the worlds it owns are called). */
  address: string | null;
  /** The worlds it runs now. */
  worlds: string[];
}

interface Replica {
  id: string;
  index: number;
  state: ReplicaState;
  engine: RunningPhysicsEngine | undefined;
  client: EngineClient | undefined;
}

export interface ReplicaSetOptions {
  spec: EngineSpec;
  /** How many replicas (1 keeps the engine on the endpoint port itself, without a proxy). */
  count: number;
  /** The environment every replica shares; GRPC_HOST and GRPC_PORT are the module's. */
  env: Record<string, string>;
  /** Starts one physics engine with this environment. */
  start(env: Record<string, string>): Promise<RunningPhysicsEngine>;
  /** A client of one replica's own address (the host's calls for the worlds it runs). */
  client(address: string): EngineClient;
  log(line: string): void;
}

/** A replica's id, its REPLICA_ID: unique among every physics replica of this process. */
export const replicaId = (module: string, index: number) => `${module}-${index}`;

/** True when the engine has the world in memory (it runs it). */
function runs(engine: RunningPhysicsEngine | undefined, worldId: string): boolean {
  if (!engine) return false;
  try {
    engine.worlds.get(worldId);
    return true;
  } catch {
    return false;
  }
}

export class ReplicaSet {
  private closed = false;
  /** Stops and starts under way: `close` waits for them. */
  private readonly busy = new Set<Promise<unknown>>();

  private constructor(
    private readonly options: ReplicaSetOptions,
    private readonly replicas: Replica[],
    private readonly proxy: ServiceProxy | undefined,
  ) {}

  /**
   * Starts the proxy (with several replicas) and every replica, in order; stops what started
   * when one fails.
   */
  static async start(options: ReplicaSetOptions): Promise<ReplicaSet> {
    const replicas: Replica[] = Array.from({ length: options.count }, (_, index) => ({
      id: replicaId(options.spec.module, index),
      index,
      state: 'stopped',
      engine: undefined,
      client: undefined,
    }));
    const running = () => replicas.find((r) => r.state === 'running')?.engine?.address;
    const proxy =
      options.count > 1
        ? await startServiceProxy({
            host: options.env.GRPC_HOST,
            port: Number(options.env.GRPC_PORT),
            pick: running,
          })
        : undefined;
    const set = new ReplicaSet(options, replicas, proxy);
    try {
      for (const replica of replicas) await set.run(replica);
    } catch (error) {
      await set.close();
      throw error;
    }
    return set;
  }

  /** Where callers reach the module: the proxy, or the one replica's own address. */
  get address(): string {
    return this.proxy?.address ?? (this.replicas[0].engine as RunningPhysicsEngine).address;
  }

  get count(): number {
    return this.replicas.length;
  }

  has(id: string): boolean {
    return this.replicas.some((r) => r.id === id);
  }

  ids(): string[] {
    return this.replicas.map((r) => r.id);
  }

  /** The running replica that runs the world now, if one does. */
  private runnerOf(worldId: string): Replica | undefined {
    return this.replicas.find((r) => r.state === 'running' && runs(r.engine, worldId));
  }

  /** The client of the replica that runs the world now (undefined while none does). */
  clientFor(worldId: string): EngineClient | undefined {
    return this.runnerOf(worldId)?.client;
  }

  /** Each replica, with the worlds among `worldIds` it runs now. */
  list(worldIds: readonly string[]): ReplicaInfo[] {
    return this.replicas.map((r) => this.info(r, worldIds));
  }

  private info(r: Replica, worldIds: readonly string[]): ReplicaInfo {
    const { spec } = this.options;
    return {
      id: r.id,
      index: r.index,
      app: spec.app,
      module: spec.module,
      version: spec.version,
      endpointPort: spec.port,
      state: r.state,
      address: r.engine?.address ?? null,
      worlds: worldIds.filter((id) => runs(r.engine, id)),
    };
  }

  /**
   * Stops a running replica as a pod is stopped: it stops serving and leaves its worlds as
   * orphans, which the other replicas' takeover rounds bring back at once (from checkpoint and
   * command log); callers find them there. Refused for the last running replica.
   */
  async stop(id: string, worldIds: readonly string[]) {
    const r = this.get(id);
    if (r.state === 'stopped')
      throw new ApiError(
        409,
        'REPLICA_NOT_RUNNING',
        `replica ${id} is stopped already (POST /api/replicas/${id}/start starts it)`,
      );
    if (r.state !== 'running')
      throw new ApiError(409, 'REPLICA_BUSY', `replica ${id} is ${r.state}; try again in a moment`);
    if (!this.replicas.some((o) => o !== r && o.state === 'running'))
      throw new ApiError(
        409,
        'LAST_REPLICA',
        `replica ${id} is the only running replica of ${this.options.spec.module}: its worlds would have nowhere to go. ${
          this.count > 1
            ? 'Start another replica first.'
            : 'Start the host with --replicas 2 (up to 4) to have another.'
        }`,
      );
    const left = this.info(r, worldIds).worlds;
    r.state = 'stopping';
    await this.track(this.shut(r));
    this.options.log(
      `  stopped physics replica ${id}${left.length ? `: its worlds ${left.join(', ')} go to the other replicas` : ''}`,
    );
    return { replica: this.info(r, worldIds), left };
  }

  /** Starts a stopped replica again (a new gRPC port; it takes its share of orphans from now on). */
  async start(id: string, worldIds: readonly string[]) {
    const r = this.get(id);
    if (r.state === 'running')
      throw new ApiError(409, 'REPLICA_RUNNING', `replica ${id} is running already`);
    if (r.state !== 'stopped')
      throw new ApiError(409, 'REPLICA_BUSY', `replica ${id} is ${r.state}; try again in a moment`);
    await this.track(this.run(r));
    this.options.log(`  started physics replica ${id} on ${r.engine?.address}`);
    return { replica: this.info(r, worldIds) };
  }

  /** Stops every replica (after the stops and starts under way) and the proxy. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.busy]);
    const failures: string[] = [];
    for (const r of [...this.replicas].reverse())
      if (r.engine)
        await this.shut(r).catch((error: unknown) => failures.push(`${r.id}: ${messageOf(error)}`));
    await this.proxy?.close();
    if (failures.length) throw new Error(`stopping replicas failed: ${failures.join('; ')}`);
  }

  private get(id: string): Replica {
    if (this.closed)
      throw new ApiError(
        503,
        'DATA_PLANE_NOT_RUNNING',
        'the data plane is restarting or stopping; try again in a moment',
      );
    const r = this.replicas.find((x) => x.id === id);
    if (!r) throw new ApiError(404, 'REPLICA_NOT_FOUND', `no physics replica "${id}"`);
    return r;
  }

  private async track<T>(op: Promise<T>): Promise<T> {
    this.busy.add(op);
    try {
      return await op;
    } finally {
      this.busy.delete(op);
    }
  }

  /** Starts one replica: its own REPLICA_ID, and its own free port when a proxy fronts them. */
  private async run(r: Replica): Promise<void> {
    const env = {
      ...this.options.env,
      REPLICA_ID: r.id,
      ...(this.proxy ? { GRPC_PORT: '0' } : {}),
    };
    r.state = 'starting';
    try {
      r.engine = await this.options.start(env);
    } catch (error) {
      r.state = 'stopped';
      throw new ApiError(500, 'REPLICA_START_FAILED', `replica ${r.id}: ${messageOf(error)}`);
    }
    r.client = this.options.client(r.engine.address);
    r.state = 'running';
  }

  /** Stops one replica's engine, then ends what the proxy still holds to it. */
  private async shut(r: Replica): Promise<void> {
    const { engine, client } = r;
    r.state = 'stopping';
    try {
      await engine?.close();
    } finally {
      client?.close();
      if (engine) this.proxy?.drop(engine.address);
      Object.assign(r, { engine: undefined, client: undefined, state: 'stopped' });
    }
  }
}
