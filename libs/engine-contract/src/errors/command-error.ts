import type { CommandError } from '../generated/game/engine/v1/engine';
import { EngineError } from './engine-error';
import { engineErrorOf, toGrpcStatus } from './grpc-status';

/** What a StreamCommands result carries for a refused command: its status, message and error name. */
export function toCommandError(error: unknown): CommandError {
  const status = toGrpcStatus(error);
  const name = error instanceof EngineError ? error.name : '';
  return { code: status.code, message: status.details, name };
}

/** The engine error a StreamCommands result reports, rebuilt as the unary call's would be. */
export function fromCommandError(error: CommandError, method: string): EngineError {
  return engineErrorOf(error.code, error.message, method, { name: error.name || undefined });
}
