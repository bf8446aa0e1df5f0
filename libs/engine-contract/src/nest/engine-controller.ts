import { Inject } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import { commandFromWire } from '../converters/command.converter';
import { requireId } from '../converters/validate';
import type { EngineCommand } from '../domain/commands';
import type {
  ApplyCommandRequest,
  ApplyCommandResponse,
  CloseWorldRequest,
  CloseWorldResponse,
} from '../generated/game/engine/v1/engine';
import { CommandStreams, type CommandStreamCall } from '../streams/command-streams';

/**
 * What every engine's EngineService controller shares: ApplyCommand and its streamed form
 * StreamCommands, and CloseWorld. An engine only says how it applies a command and closes a world.
 */
export abstract class EngineControllerBase {
  @Inject(CommandStreams) private readonly streams!: CommandStreams;

  /** Applies (queues) one command; resolves with its apply tick and the entity it addresses. */
  protected abstract applyTo(
    worldId: string,
    command: EngineCommand,
    traceparent?: string,
  ): Promise<{ applyTick: number; entityId: string }>;

  /** Closes the world (a no-op for an unknown one); true when it was open. */
  protected abstract closeWorldById(worldId: string): Promise<boolean>;

  @GrpcMethod('EngineService', 'ApplyCommand')
  async applyCommand(request: ApplyCommandRequest): Promise<ApplyCommandResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    return { worldId, ...(await this.applyTo(worldId, commandFromWire(request.command))) };
  }

  @GrpcStreamCall('EngineService', 'StreamCommands')
  streamCommands(call: CommandStreamCall): Promise<void> {
    return this.streams.serve(call, (worldId, command, traceparent) =>
      this.applyTo(worldId, command, traceparent),
    );
  }

  @GrpcMethod('EngineService', 'CloseWorld')
  async closeWorld(request: CloseWorldRequest): Promise<CloseWorldResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    return { worldId, closed: await this.closeWorldById(worldId) };
  }
}
