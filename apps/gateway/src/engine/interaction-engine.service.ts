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
import type { TraceContext } from './trace';

/** The name the gateway calls engines under (`x-anvil-caller`: their quotas and logs). */
export const ENGINE_CALLER = 'gateway';

/**
 * The gateway's one client of the interaction engine (INTERACTION_ENGINE_ADDRESS): player
 * commands and snapshots, with a deadline on each call, the engine token and the trace passed
 * as metadata, and failures translated into gateway errors.
 */
@Injectable()
export class InteractionEngineService implements OnApplicationShutdown {
  private readonly client: EngineClient;
  /** Player commands travel on one long-lived stream, batched per turn of the event loop. */
  private readonly commands: CommandStreamClient;
  private readonly address: string;

  constructor(
    config: GatewayConfigService,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const engine = config.get('engine');
    this.address = engine.interactionAddress;
    const options = {
      deadlineMs: engine.deadlineMs,
      access: { token: engine.token, caller: ENGINE_CALLER },
    };
    this.client = new EngineClient(engine.interactionAddress, options);
    this.commands = new CommandStreamClient(engine.interactionAddress, options);
  }

  /**
   * Sends one player command on the command stream (with the others of this turn); resolves
   * with the tick it applies at once the engines logged it.
   */
  apply(
    worldId: string,
    command: PlayerCommand,
    trace?: TraceContext,
  ): Promise<ApplyCommandResponse> {
    return this.timed('apply', worldId, () =>
      this.commands.submit(worldId, commandToWire(command), trace?.traceparent),
    );
  }

  /**
   * Starts the world on the interaction engine (Init is idempotent), passing the world's
   * CapabilityBindings so the engine reaches the providers they name (its physics engine).
   */
  start(world: World, trace?: TraceContext): Promise<InitResponse> {
    const bindings = world.bindings.map(({ shard, ...b }) => ({ ...b, shard: shard ?? undefined }));
    return this.timed('init', world.id, () =>
      this.client.init({ worldId: world.id, bindings }, { metadata: metadataOf(trace) }),
    );
  }

  /** The world's snapshot: tick and bodies (physics state relayed by the interaction engine). */
  snapshot(worldId: string, trace?: TraceContext): Promise<SnapshotResponse> {
    return this.timed('snapshot', worldId, () =>
      this.client.snapshot({ worldId }, { metadata: metadataOf(trace) }),
    );
  }

  /** True when the engine's health service says SERVING (readiness). */
  async healthy(): Promise<boolean> {
    try {
      return (
        (await checkEngineHealth(this.address, engineChannelCredentials(), {
          service: ENGINE_SERVICE_NAME,
          deadlineMs: 1_000,
        })) === 'SERVING'
      );
    } catch {
      return false;
    }
  }

  /** Closed last: sockets closing at shutdown still tell the engine their players left. */
  onApplicationShutdown(): void {
    this.commands.close();
    this.client.close();
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
