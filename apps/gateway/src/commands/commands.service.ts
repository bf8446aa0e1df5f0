import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import { traced } from '../engine/trace';
import { SeqReplayedError } from '../errors/gateway-error';
import type { CommandAckDto, CommandDto } from '../protocol/dto/command.dto';
import type { GatewaySocket } from '../protocol/socket-state';
import { PlayerBodiesService } from '../worlds/player-bodies.service';
import { requireJoined } from '../worlds/require-joined';
import { RunningWorldsService } from '../worlds/running-worlds.service';
import { normaliseCommand } from './normalise';

/**
 * Player commands: sequence check (strictly increasing per connection, so a replay is refused
 * before it reaches the engine), world membership, normalisation, and the engine call.
 */
@Injectable()
export class CommandsService {
  /** Idempotency keys: unique to this process, one per command (its retries share it). */
  private readonly keyPrefix = randomBytes(8).toString('hex');
  private keys = 0;

  constructor(
    private readonly engine: InteractionEngineService,
    private readonly running: RunningWorldsService,
    private readonly bodies: PlayerBodiesService,
  ) {}

  /**
   * Handles one schema-valid command; resolves with its ack or throws a GatewayError. When the
   * engine does not run the world (it restarted), RunningWorldsService starts it there, the
   * player's body is put back and the command is sent once more (the first one applied nothing).
   * When the world's engine went away, it is sent again once the world is found, with the same
   * idempotency key, so it is applied at most once.
   */
  async handle(socket: GatewaySocket, dto: CommandDto): Promise<CommandAckDto> {
    const state = socket.data;
    if (dto.seq <= state.lastSeq) throw new SeqReplayedError(dto.seq, state.lastSeq);
    // The seq is used up even if the command is refused below: every attempt takes a new one.
    state.lastSeq = dto.seq;
    requireJoined(socket, dto.worldId);
    const normalised = normaliseCommand(dto, state.principal.playerId);
    const { worldId, command } = normalised;
    const attributes = {
      'anvil.world.id': worldId,
      'anvil.command.type': dto.type,
      'anvil.command.seq': dto.seq,
      // A span attribute, never a metric label: the embedded page finds a player's commands by it.
      'anvil.player.id': state.principal.playerId,
    };
    const response = await traced('gateway command', normalised.trace, attributes, (trace) => {
      const key = `${this.keyPrefix}:${++this.keys}`;
      return this.running.call(
        worldId,
        trace,
        () => this.engine.apply(worldId, command, trace, key),
        () => this.bodies.rejoin(worldId, state.principal.playerId, trace),
      );
    });
    return { ok: true, seq: dto.seq, tick: response.applyTick };
  }
}
