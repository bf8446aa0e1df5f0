import { ContractLimits } from './limits';

/** Every player's body id starts with this prefix; nothing else may use it. */
export const PLAYER_BODY_PREFIX = 'p:';

/** Longest player id: its body id `p:<playerId>` must fit the contract's id length. */
export const MAX_PLAYER_ID_LENGTH = ContractLimits.maxIdLength - PLAYER_BODY_PREFIX.length;

/** The id of the body a player steers in a world. */
export function playerBodyId(playerId: string): string {
  return `${PLAYER_BODY_PREFIX}${playerId}`;
}

/** Whether a body id names a player's body. */
export function isPlayerBodyId(bodyId: string): boolean {
  return bodyId.startsWith(PLAYER_BODY_PREFIX);
}
