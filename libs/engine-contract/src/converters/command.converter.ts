import type { Command } from '../generated/game/engine/v1/engine';
import type { EngineCommand } from '../domain/commands';
import { ContractLimits } from '../domain/limits';
import { InvalidCommandError } from '../errors/engine-error';
import { bodySpecFromWire, bodySpecToWire } from './body.converter';
import { requireFinite, requireId } from './validate';

const KINDS =
  'join, leave, move, jump, interact, spawn_body, remove_body, set_velocity, apply_impulse, module';

/**
 * Wire Command -> domain command, with the contract's schema checks: exactly one kind set,
 * ids well formed, floats finite, module payload within limits. Engine rules (ranges, known
 * players and bodies) are checked by the engine that handles the command.
 */
export function commandFromWire(command: Command | undefined): EngineCommand {
  const kind = command?.kind;
  if (!kind) throw new InvalidCommandError(`command is empty: set one of ${KINDS}`);
  switch (kind.$case) {
    case 'join':
      return { type: 'join', playerId: requireId(kind.value.playerId, 'join.player_id') };
    case 'leave':
      return { type: 'leave', playerId: requireId(kind.value.playerId, 'leave.player_id') };
    case 'move':
      return {
        type: 'move',
        playerId: requireId(kind.value.playerId, 'move.player_id'),
        dx: requireFinite(kind.value.dx, 'move.dx'),
        dy: requireFinite(kind.value.dy, 'move.dy'),
      };
    case 'jump':
      return { type: 'jump', playerId: requireId(kind.value.playerId, 'jump.player_id') };
    case 'interact':
      return {
        type: 'interact',
        playerId: requireId(kind.value.playerId, 'interact.player_id'),
        targetId: requireId(kind.value.targetId, 'interact.target_id'),
      };
    case 'spawnBody':
      return { type: 'spawnBody', body: bodySpecFromWire(kind.value) };
    case 'removeBody':
      return { type: 'removeBody', bodyId: requireId(kind.value.bodyId, 'remove_body.body_id') };
    case 'setVelocity':
      return {
        type: 'setVelocity',
        bodyId: requireId(kind.value.bodyId, 'set_velocity.body_id'),
        vxMmS: kind.value.vxMmS,
        vyMmS: kind.value.vyMmS,
      };
    case 'applyImpulse':
      return {
        type: 'applyImpulse',
        bodyId: requireId(kind.value.bodyId, 'apply_impulse.body_id'),
        ixMnS: kind.value.ixMnS,
        iyMnS: kind.value.iyMnS,
      };
    case 'module':
      return moduleFromWire(kind.value.type, kind.value.payload);
    default:
      throw new InvalidCommandError(`unknown command kind "${(kind as { $case: string }).$case}"`);
  }
}

function moduleFromWire(type: string, payload: Uint8Array): EngineCommand {
  if (!type || type.length > ContractLimits.maxModuleTypeLength) {
    throw new InvalidCommandError(
      `module.type must be 1..${ContractLimits.maxModuleTypeLength} characters`,
    );
  }
  if (payload.length > ContractLimits.maxModulePayloadBytes) {
    throw new InvalidCommandError(
      `module.payload is ${payload.length} bytes, over the ${ContractLimits.maxModulePayloadBytes}-byte limit`,
    );
  }
  return { type: 'module', moduleType: type, payload };
}

/** Domain command -> wire Command. */
export function commandToWire(command: EngineCommand): Command {
  switch (command.type) {
    case 'join':
    case 'leave':
    case 'jump':
      return { kind: { $case: command.type, value: { playerId: command.playerId } } };
    case 'move':
      return {
        kind: {
          $case: 'move',
          value: { playerId: command.playerId, dx: command.dx, dy: command.dy },
        },
      };
    case 'interact':
      return {
        kind: {
          $case: 'interact',
          value: { playerId: command.playerId, targetId: command.targetId },
        },
      };
    case 'spawnBody':
      return { kind: { $case: 'spawnBody', value: bodySpecToWire(command.body) } };
    case 'removeBody':
      return { kind: { $case: 'removeBody', value: { bodyId: command.bodyId } } };
    case 'setVelocity':
      return {
        kind: {
          $case: 'setVelocity',
          value: { bodyId: command.bodyId, vxMmS: command.vxMmS, vyMmS: command.vyMmS },
        },
      };
    case 'applyImpulse':
      return {
        kind: {
          $case: 'applyImpulse',
          value: { bodyId: command.bodyId, ixMnS: command.ixMnS, iyMnS: command.iyMnS },
        },
      };
    case 'module':
      return {
        kind: {
          $case: 'module',
          value: { type: command.moduleType, payload: Buffer.from(command.payload) },
        },
      };
  }
}
