import fc from 'fast-check';
import { Command } from '../generated/game/engine/v1/engine';
import type { EngineCommand } from '../domain/commands';
import { InvalidCommandError } from '../errors/engine-error';
import { commandFromWire, commandToWire } from './command.converter';

const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
const int = fc.integer({ min: -2_000_000, max: 2_000_000 });
// proto3 cannot carry -0 (it is the default value, left off the wire): the domain never holds it.
const float = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v));

const domainCommand: fc.Arbitrary<EngineCommand> = fc.oneof(
  id.map((playerId) => ({ type: 'join' as const, playerId })),
  id.map((playerId) => ({ type: 'leave' as const, playerId })),
  fc.record({ playerId: id, dx: float, dy: float }).map((c) => ({ type: 'move' as const, ...c })),
  fc.record({ playerId: id, targetId: id }).map((c) => ({ type: 'interact' as const, ...c })),
  fc
    .record({ bodyId: id, ixMnS: int, iyMnS: int })
    .map((c) => ({ type: 'applyImpulse' as const, ...c })),
  fc
    .record({ id, xMm: int, yMm: int, halfWidthMm: fc.nat(100_000), lockRotation: fc.boolean() })
    .map((b) => ({
      type: 'spawnBody' as const,
      body: {
        ...b,
        kind: 'dynamic' as const,
        shape: 'ball' as const,
        halfHeightMm: b.halfWidthMm,
        vxMmS: 0,
        vyMmS: 0,
      },
    })),
);

describe('commandFromWire / commandToWire', () => {
  it('round-trips every command through the binary wire format', () => {
    fc.assert(
      fc.property(domainCommand, (command) => {
        const bytes = Command.encode(commandToWire(command)).finish();
        expect(commandFromWire(Command.decode(bytes))).toEqual(command);
      }),
    );
  });

  it('keeps absent SetVelocity components absent', () => {
    const wire = commandToWire({ type: 'setVelocity', bodyId: 'b1', vxMmS: 5 });
    const back = commandFromWire(Command.decode(Command.encode(wire).finish()));
    expect(back).toEqual({ type: 'setVelocity', bodyId: 'b1', vxMmS: 5, vyMmS: undefined });
  });

  it.each([
    ['an empty command', {}, /command is empty/],
    ['a missing command', undefined, /command is empty/],
    [
      'NaN',
      { kind: { $case: 'move', value: { playerId: 'p', dx: NaN, dy: 0 } } },
      /move.dx must be a finite number/,
    ],
    [
      'Infinity',
      { kind: { $case: 'move', value: { playerId: 'p', dx: 0, dy: -Infinity } } },
      /move.dy/,
    ],
    [
      'an empty id',
      { kind: { $case: 'join', value: { playerId: '' } } },
      /join.player_id is required/,
    ],
    [
      'a bad id',
      { kind: { $case: 'leave', value: { playerId: 'a b' } } },
      /leave.player_id must be/,
    ],
    [
      'a long id',
      { kind: { $case: 'jump', value: { playerId: 'x'.repeat(65) } } },
      /jump.player_id must be/,
    ],
    [
      'an unset shape',
      { kind: { $case: 'spawnBody', value: { bodyId: 'b', shape: 0 } } },
      /body shape must be/,
    ],
    [
      'an empty module type',
      { kind: { $case: 'module', value: { type: '', payload: Buffer.alloc(0) } } },
      /module.type/,
    ],
    [
      'an oversized module payload',
      { kind: { $case: 'module', value: { type: 'x', payload: Buffer.alloc(64 * 1024 + 1) } } },
      /over the 65536-byte limit/,
    ],
  ])('refuses %s with INVALID_ARGUMENT', (_name, wire, message) => {
    const call = () => commandFromWire(wire as Command | undefined);
    expect(call).toThrow(InvalidCommandError);
    expect(call).toThrow(message);
  });
});
