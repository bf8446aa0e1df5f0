import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import {
  admittedCaller,
  isPlacedInit,
  bodyViewToWire,
  countResult,
  requireId,
  senderLeaseFromWire,
  worldSettingsToWire,
  type EngineCommand,
  type SenderLease,
} from '@anvil/engine-contract';
import type * as wire from '@anvil/engine-contract';
import { EngineControllerBase } from '@anvil/engine-contract/nest';
import { traceCommand } from '@anvil/telemetry';
import { PHYSICS_CONFIG, type PhysicsConfig } from '../config/physics-config';
import { WorldsService } from '../worlds/worlds.service';

/** EngineService over gRPC: validates ids, converts wire <-> domain, delegates to WorldsService. */
@Controller()
export class EngineController extends EngineControllerBase {
  constructor(
    @Inject(WorldsService) private readonly worlds: WorldsService,
    @Inject(PHYSICS_CONFIG) private readonly config: PhysicsConfig,
  ) {
    super();
  }

  @GrpcMethod('EngineService', 'Init')
  async init(request: wire.InitRequest, metadata?: Metadata): Promise<wire.InitResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    const sender = senderLeaseFromWire(request.sender);
    const { runtime, created } = await this.worlds.init(
      worldId,
      request.config,
      admittedCaller(metadata),
      isPlacedInit(metadata),
      sender,
    );
    return {
      worldId,
      tick: runtime.sim.tick,
      stateHash: runtime.sim.stateHash(),
      created,
      config: worldSettingsToWire(runtime.sim.settings),
      tickHz: runtime.clockDriven ? this.config.tick.hz : 0,
      ownerAddress: this.worlds.ownerAddress,
      engineVersion: this.config.version ?? '',
    };
  }

  /**
   * Answered once the command is in the log (docs/engine-contract.md, "The command log"); a
   * repeated idempotency key with the first command's result ("Idempotency keys"); a stale
   * sender lease refused ("Fencing the caller").
   */
  protected applyTo(
    worldId: string,
    command: EngineCommand,
    traceparent?: string,
    idempotencyKey = '',
    sender?: SenderLease,
  ): Promise<{ applyTick: number; entityId: string }> {
    const applied = traceCommand('physics apply', worldId, command, traceparent, (trace) =>
      this.worlds.apply(worldId, command, idempotencyKey, sender, trace),
    );
    return countResult(applied, this.worlds.metrics.commands);
  }

  @GrpcMethod('EngineService', 'Tick')
  async tick(request: wire.TickRequest): Promise<wire.TickResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    const { runtime, steps } = await this.worlds.tick(worldId, request.targetTick);
    return { worldId, tick: runtime.sim.tick, stateHash: runtime.sim.stateHash(), steps };
  }

  @GrpcMethod('EngineService', 'Snapshot')
  snapshot(request: wire.SnapshotRequest): wire.SnapshotResponse {
    const worldId = requireId(request.worldId, 'world_id');
    const snap = this.worlds.snapshot(worldId);
    return {
      worldId,
      tick: snap.tick,
      stateHash: snap.stateHash,
      state: snap.state,
      bodies: snap.bodies.map(bodyViewToWire),
    };
  }

  @GrpcMethod('EngineService', 'Restore')
  async restore(request: wire.RestoreRequest, metadata?: Metadata): Promise<wire.RestoreResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    const runtime = await this.worlds.restore(
      worldId,
      request.state,
      request.stateHash,
      admittedCaller(metadata),
    );
    return { worldId, tick: runtime.sim.tick, stateHash: runtime.sim.stateHash() };
  }

  protected closeWorldById(worldId: string): Promise<boolean> {
    return this.worlds.close(worldId);
  }
}
