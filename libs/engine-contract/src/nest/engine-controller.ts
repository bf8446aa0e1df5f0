import { Inject } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import { commandFromWire } from '../converters/command.converter';
import { requireId, requireIdempotencyKey } from '../converters/validate';
import type { EngineCommand } from '../domain/commands';
import { senderLeaseFromWire } from '../fencing/sender-fence';
import type {
  SenderLease,
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

  /**
   * Applies (queues) one command; resolves with its apply tick and the entity it addresses. A
   * non-empty `idempotencyKey` (validated) the world already applied answers the first result
   * and changes nothing (docs/engine-contract.md, "Idempotency keys"). `sender`: the caller's
   * validated lease on the world, when it sent one ("Fencing the caller").
   */
  protected abstract applyTo(
    worldId: string,
    command: EngineCommand,
    traceparent?: string,
    idempotencyKey?: string,
    sender?: SenderLease,
  ): Promise<{ applyTick: number; entityId: string }>;

  /** Closes the world (a no-op for an unknown one); true when it was open. */
  protected abstract closeWorldById(worldId: string): Promise<boolean>;

  @GrpcMethod('EngineService', 'ApplyCommand')
  async applyCommand(request: ApplyCommandRequest): Promise<ApplyCommandResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    const key = requireIdempotencyKey(request.idempotencyKey);
    const sender = senderLeaseFromWire(request.sender);
    const command = commandFromWire(request.command);
    return { worldId, ...(await this.applyTo(worldId, command, '', key, sender)) };
  }

  @GrpcStreamCall('EngineService', 'StreamCommands')
  streamCommands(call: CommandStreamCall): Promise<void> {
    return this.streams.serve(call, (worldId, command, traceparent, key, sender) =>
      this.applyTo(worldId, command, traceparent, key, sender),
    );
  }

  @GrpcMethod('EngineService', 'CloseWorld')
  async closeWorld(request: CloseWorldRequest): Promise<CloseWorldResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    return { worldId, closed: await this.closeWorldById(worldId) };
  }
}
