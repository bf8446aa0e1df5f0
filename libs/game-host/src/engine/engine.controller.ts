import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import {
  admittedCaller,
  countResult,
  isPlacedInit,
  requireId,
  type EngineCommand,
} from '@anvil/engine-contract';
import type * as wire from '@anvil/engine-contract';
import { EngineControllerBase } from '@anvil/engine-contract/nest';
import { traceCommand } from '@anvil/telemetry';
import { GameWorldsService } from '../worlds/game-worlds.service';

/** EngineService over gRPC for a game module: ids checked, wire converted, the game's rules applied. */
@Controller()
export class EngineController extends EngineControllerBase {
  constructor(@Inject(GameWorldsService) private readonly worlds: GameWorldsService) {
    super();
  }

  @GrpcMethod('EngineService', 'Init')
  init(request: wire.InitRequest, metadata?: Metadata): Promise<wire.InitResponse> {
    return this.worlds.init(
      requireId(request.worldId, 'world_id'),
      request.config,
      request.bindings,
      admittedCaller(metadata),
      isPlacedInit(metadata),
    );
  }

  protected applyTo(
    worldId: string,
    command: EngineCommand,
    traceparent?: string,
    idempotencyKey = '',
  ): Promise<{ applyTick: number; entityId: string }> {
    const applied = traceCommand('interaction validate', worldId, command, traceparent, (trace) =>
      this.worlds.apply(worldId, command, trace, idempotencyKey),
    );
    return countResult(applied, this.worlds.metrics.commands);
  }

  @GrpcMethod('EngineService', 'Tick')
  tick(request: wire.TickRequest): Promise<wire.TickResponse> {
    return this.worlds.tick(requireId(request.worldId, 'world_id'), request.targetTick);
  }

  @GrpcMethod('EngineService', 'Snapshot')
  snapshot(request: wire.SnapshotRequest): Promise<wire.SnapshotResponse> {
    return this.worlds.snapshot(requireId(request.worldId, 'world_id'));
  }

  @GrpcMethod('EngineService', 'Restore')
  async restore(request: wire.RestoreRequest, metadata?: Metadata): Promise<wire.RestoreResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    const caller = admittedCaller(metadata);
    return {
      worldId,
      ...(await this.worlds.restore(worldId, request.state, request.stateHash, caller)),
    };
  }

  protected closeWorldById(worldId: string): Promise<boolean> {
    return this.worlds.close(worldId);
  }
}
