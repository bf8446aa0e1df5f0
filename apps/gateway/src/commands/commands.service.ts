import { Injectable } from '@nestjs/common';
import { isWorldNotRunning } from '../engine/engine-errors';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import { traceFrom } from '../engine/trace';
import { SeqReplayedError } from '../errors/gateway-error';
import type { CommandAckDto, CommandDto } from '../protocol/dto/command.dto';
import type { GatewaySocket } from '../protocol/socket-state';
import { requireJoined } from '../worlds/require-joined';
import { normaliseCommand } from './normalise';

/**
 * Player commands: sequence check (strictly increasing per connection, so a replay is refused
 * before it reaches the engine), world membership, normalisation, and the engine call.
 */
@Injectable()
export class CommandsService {
  constructor(private readonly engine: InteractionEngineService) {}

  /**
   * Handles one schema-valid command; resolves with its ack or throws a GatewayError. When the
   * engine answers that it does not run the world (it restarted), `reenter` starts the world and
   * the player there again and the command is sent once more (the first one applied nothing).
   */
  async handle(socket: GatewaySocket, dto: CommandDto, reenter?: () => Promise<void>): Promise<CommandAckDto> {
    const state = socket.data;
    if (dto.seq <= state.lastSeq) throw new SeqReplayedError(dto.seq, state.lastSeq);
    // The seq is used up even if the command is refused below: every attempt takes a new one.
    state.lastSeq = dto.seq;
    requireJoined(socket, dto.worldId);
    const normalised = normaliseCommand(dto, state.principal.playerId);
    const trace = traceFrom(normalised.trace);
    const apply = () => this.engine.apply(normalised.worldId, normalised.command, trace);
    const response = await apply().catch(async (error: unknown) => {
      if (!reenter || !isWorldNotRunning(error)) throw error;
      await reenter();
      return apply();
    });
    return { ok: true, seq: dto.seq, tick: response.applyTick };
  }
}
