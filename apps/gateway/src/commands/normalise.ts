import type { PlayerCommand } from '@anvil/engine-contract';
import type { CommandDto, NormalisedCommand } from '../protocol/dto/command.dto';

/** Rounds m/s to the engine's resolution (mm/s) and turns -0 into 0. */
const metresPerSecond = (value: number | undefined): number => {
  const rounded = Math.round((value ?? 0) * 1000) / 1000;
  return rounded === 0 ? 0 : rounded;
};

/**
 * A schema-valid command -> what the engine receives: the player id from the token (a client
 * cannot act for someone else), move components defaulted and rounded to mm/s.
 */
export function normaliseCommand(dto: CommandDto, playerId: string): NormalisedCommand {
  let command: PlayerCommand;
  switch (dto.type) {
    case 'move':
      command = {
        type: 'move',
        playerId,
        dx: metresPerSecond(dto.dx),
        dy: metresPerSecond(dto.dy),
      };
      break;
    case 'jump':
      command = { type: 'jump', playerId };
      break;
    case 'interact':
      command = { type: 'interact', playerId, targetId: dto.targetId };
      break;
  }
  return {
    seq: dto.seq,
    worldId: dto.worldId,
    command,
    ...(dto.trace ? { trace: dto.trace } : {}),
  };
}
