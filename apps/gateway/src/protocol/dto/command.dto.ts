import type { PlayerCommand } from '@anvil/engine-contract';

/** `cmd` payload as the client sends it (after schema validation). */
export type CommandDto =
  | { seq: number; worldId: string; type: 'move'; dx: number; dy?: number; trace?: string }
  | { seq: number; worldId: string; type: 'jump'; trace?: string }
  | { seq: number; worldId: string; type: 'interact'; targetId: string; trace?: string };

/** A command ready for the engine: the player id comes from the token, numbers are normalised. */
export interface NormalisedCommand {
  seq: number;
  worldId: string;
  command: PlayerCommand;
  trace?: string;
}

/** Successful ack of `cmd`. */
export interface CommandAckDto {
  ok: true;
  seq: number;
  /** The tick at whose boundary the command applies: the first delta with this tick reflects it. */
  tick: number;
}

/** Any failed ack. */
export interface FailedAckDto {
  ok: false;
  seq?: number;
  code: string;
  message: string;
  retryAfterMs?: number;
  engineCode?: string;
}
