import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Metadata } from '@grpc/grpc-js';
import {
  CommandStreamClient,
  ENGINE_SERVICE_NAME,
  EngineClient,
  checkEngineHealth,
  commandToWire,
  engineChannelCredentials,
  ownerAddressOf,
  placedInit,
  type ApplyCommandResponse,
  type InitResponse,
  type PlayerCommand,
  type SnapshotResponse,
} from '@anvil/engine-contract';
import type { World } from '@anvil/storage';
import { GatewayConfigService } from '../config/gateway-config.service';
import { MetricsService } from '../metrics/metrics.service';
import { LOGGER } from '../storage/storage.tokens';
import { ErrorCode } from '../errors/error-codes';
import { fromEngineError } from './engine-errors';
import { EngineRoutes } from './engine-routes';
import type { TraceContext } from './trace';

/** The name the gateway calls engines under (`x-anvil-caller`: their quotas and logs). */
export const ENGINE_CALLER = 'gateway';

/** How many owner answers one start follows (a world that moves again while it starts). */
const MAX_OWNER_HOPS = 3;

/** The clients of one engine address: unary calls, and the command stream. */
interface EngineConnection {
  client: EngineClient;
  /** Player commands travel on one long-lived stream, batched per turn of the event loop. */
  commands: CommandStreamClient;
}

/**
 * The gateway's clients of the game modules: each world's commands and snapshots go to the
 * module its game binds to `game.interaction` (the entry binding of the world's record; worlds
 * without one go to INTERACTION_ENGINE_ADDRESS), with a deadline on each call, the engine
 * token and the trace passed as metadata, and failures translated into gateway errors.
 */
@Injectable()
export class InteractionEngineService implements OnApplicationShutdown {
  private readonly routes: EngineRoutes;
  private readonly connections = new Map<string, EngineConnection>();
  private readonly options: ConstructorParameters<typeof EngineClient>[1];
  private readonly fallback: string;

  constructor(
    config: GatewayConfigService,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const engine = config.get('engine');
    this.fallback = engine.interactionAddress;
    this.routes = new EngineRoutes(engine.interactionAddress);
    this.options = {
      deadlineMs: engine.deadlineMs,
      access: { token: engine.token, caller: ENGINE_CALLER },
    };
  }

  /** Remembers where the world's commands go (its record's entry binding); call on join. */
  route(world: World): void {
    this.routes.learn(world, (from, to) =>
      this.logger.info(
        { worldId: world.id, from, to },
        "the world's game module moved: its commands follow",
      ),
    );
  }

  /** The worlds this gateway routes (joined or started here). */
  routedWorlds(): string[] {
    return this.routes.worlds();
  }

  /**
   * Sends one player command on the command stream (with the others of this turn); resolves
   * with the tick it applies at once the engines logged it. The same `idempotencyKey` on a
   * command sent again (after its engine failed) makes the engines answer the first result.
   */
  apply(
    worldId: string,
    command: PlayerCommand,
    trace?: TraceContext,
    idempotencyKey?: string,
  ): Promise<ApplyCommandResponse> {
    return this.timed('apply', worldId, () =>
      this.connection(this.routes.of(worldId)).commands.submit(
        worldId,
        commandToWire(command),
        trace?.traceparent,
        idempotencyKey,
      ),
    );
  }

  /**
   * Starts the world on its game module (Init is idempotent), passing the world's
   * CapabilityBindings so the module reaches the providers they name (its physics engine).
   * Where the module runs several replicas and another one owns the world, the answer names
   * it: the Init, and the world's calls after it, go there. The owner's own answer names it
   * too (`owner_address`), so calls do not go on through a load-balanced address. The world's
   * route changes only once an Init succeeded. `via`: where to ask first (default: where the
   * world's calls go now).
   */
  async start(world: World, trace?: TraceContext, via?: string): Promise<InitResponse> {
    this.route(world);
    const bindings = world.bindings.map(({ shard, ...b }) => ({ ...b, shard: shard ?? undefined }));
    const entry = this.routes.entryOf(world.id);
    let address = via ?? this.routes.of(world.id);
    for (let hop = 0; ; hop++) {
      try {
        const response = await this.timed('init', world.id, () =>
          this.connection(address).client.init(
            { worldId: world.id, bindings },
            // Where another replica sent it: start it there, do not place it again.
            { metadata: hop > 0 ? placedInit(metadataOf(trace)) : metadataOf(trace) },
          ),
        );
        const owner = response.ownerAddress || address;
        if (owner !== entry) this.routes.setOwner(world.id, owner);
        else this.routes.forgetOwner(world.id);
        return response;
      } catch (error) {
        const owner = ownerAddressOf(error instanceof Error ? error.cause : undefined);
        if (owner === undefined || owner === address || hop >= MAX_OWNER_HOPS) throw error;
        address = owner;
        this.logger.info({ worldId: world.id, owner }, "the world's owner is another replica");
      }
    }
  }

  /** The address the world's calls go to now (its owner's, else its module's). */
  addressOf(worldId: string): string {
    return this.routes.of(worldId);
  }

  /** The world's entry address (its module's, not its owner's): where to ask who owns it. */
  entryOf(worldId: string): string {
    return this.routes.entryOf(worldId);
  }

  /** The world's snapshot: tick and bodies (physics state relayed by the interaction engine). */
  snapshot(worldId: string, trace?: TraceContext): Promise<SnapshotResponse> {
    return this.timed('snapshot', worldId, () =>
      this.connection(this.routes.of(worldId)).client.snapshot(
        { worldId },
        { metadata: metadataOf(trace) },
      ),
    );
  }

  /**
   * True when the default engine (INTERACTION_ENGINE_ADDRESS) says SERVING (readiness). Other
   * worlds' modules are not the gateway's readiness: one game's outage must not take every
   * game's players off this gateway.
   */
  async healthy(): Promise<boolean> {
    try {
      return (
        (await checkEngineHealth(this.fallback, engineChannelCredentials(), {
          service: ENGINE_SERVICE_NAME,
          deadlineMs: 1_000,
        })) === 'SERVING'
      );
    } catch {
      return false;
    }
  }

  /** Closed last: sockets closing at shutdown still tell the engines their players left. */
  onApplicationShutdown(): void {
    for (const { commands, client } of this.connections.values()) {
      commands.close();
      client.close();
    }
    this.connections.clear();
  }

  /** The clients of `address`, made on first use (a handful of game modules, not per world). */
  private connection(address: string): EngineConnection {
    let connection = this.connections.get(address);
    if (!connection) {
      connection = {
        client: new EngineClient(address, this.options),
        commands: new CommandStreamClient(address, this.options),
      };
      this.connections.set(address, connection);
      this.logger.info({ address }, 'connecting to a game module');
    }
    return connection;
  }

  private async timed<T>(method: string, worldId: string, call: () => Promise<T>): Promise<T> {
    const stop = this.metrics.engineCallSeconds.startTimer({ method });
    try {
      const result = await call();
      stop({ result: 'ok' });
      return result;
    } catch (error) {
      const mapped = fromEngineError(error, worldId);
      stop({ result: mapped.code });
      // The client gets a generic message; the engine's own text goes to the log.
      if (mapped.code === ErrorCode.Internal)
        this.logger.warn({ err: error, method, worldId }, 'engine call failed');
      throw mapped;
    }
  }
}

function metadataOf(trace?: TraceContext): Metadata {
  const metadata = new Metadata();
  if (trace) metadata.set('traceparent', trace.traceparent);
  return metadata;
}
