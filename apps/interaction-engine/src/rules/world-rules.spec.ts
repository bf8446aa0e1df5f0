import fc from 'fast-check';
import {
  AlreadyExistsError,
  CapacityError,
  PlayerRateLimitedError,
  DEFAULT_WORLD_SETTINGS,
  EntityNotFoundError,
  InvalidCommandError,
  PreconditionError,
  type PlayerCommand,
} from '@anvil/engine-contract';
import type { RulesConfig } from '../config/interaction-config';
import { WorldRules } from './world-rules';
import { decodeRulesState, encodeRulesState } from './rules-state';

const RULES: RulesConfig = {
  maxPlayersPerWorld: 2,
  maxPlayerSpeedMmS: 5_000,
  jumpSpeedMmS: 4_000,
  jumpCooldownMs: 500,
  playerRadiusMm: 300,
  maxCommandsPerSecond: 5,
};

function joined(...ids: string[]): WorldRules {
  const rules = new WorldRules(DEFAULT_WORLD_SETTINGS, RULES);
  ids.forEach((playerId, i) => rules.plan({ type: 'join', playerId }, i * 1_000).commit());
  return rules;
}

describe('WorldRules', () => {
  it('turns a join into a player body inside the world, committed only on commit()', () => {
    const rules = new WorldRules(DEFAULT_WORLD_SETTINGS, RULES);
    const plan = rules.plan({ type: 'join', playerId: 'alice' }, 0);
    expect(plan.intent).toMatchObject({
      type: 'spawnBody',
      body: { id: 'p:alice', kind: 'dynamic', shape: 'ball', halfWidthMm: 300, lockRotation: true },
    });
    const body = (plan.intent as { body: { xMm: number; yMm: number } }).body;
    expect(body.xMm).toBeGreaterThan(0);
    expect(body.xMm).toBeLessThan(DEFAULT_WORLD_SETTINGS.widthMm);
    expect(plan.event).toEqual({ kind: 'joined', playerId: 'alice', bodyId: 'p:alice' });
    expect(rules.list()).toEqual([]);
    plan.commit();
    expect(rules.list()).toEqual([{ playerId: 'alice', bodyId: 'p:alice' }]);
  });

  it('refuses duplicate, oversized and excess joins', () => {
    const rules = joined('a', 'b');
    expect(() => rules.plan({ type: 'join', playerId: 'a' }, 5_000)).toThrow(AlreadyExistsError);
    expect(() => rules.plan({ type: 'join', playerId: 'c' }, 5_000)).toThrow(CapacityError);
    expect(() => joined().plan({ type: 'join', playerId: 'x'.repeat(63) }, 0)).toThrow(
      InvalidCommandError,
    );
  });

  it('turns moves into velocity intents, slowing a too-fast move to the cap; only dx counts under gravity', () => {
    const rules = joined('a');
    expect(rules.plan({ type: 'move', playerId: 'a', dx: 2.5, dy: 9 }, 5_000).intent).toEqual({
      type: 'setVelocity',
      bodyId: 'p:a',
      vxMmS: 2_500,
    });
    expect(rules.plan({ type: 'move', playerId: 'a', dx: -9, dy: 0 }, 5_000).intent).toEqual({
      type: 'setVelocity',
      bodyId: 'p:a',
      vxMmS: -5_000,
    });
    const floating = new WorldRules({ ...DEFAULT_WORLD_SETTINGS, gravityYMmS2: 0 }, RULES);
    floating.plan({ type: 'join', playerId: 'a' }, 0).commit();
    expect(floating.plan({ type: 'move', playerId: 'a', dx: 3, dy: -4 }, 0).intent).toEqual({
      type: 'setVelocity',
      bodyId: 'p:a',
      vxMmS: 3_000,
      vyMmS: -4_000,
    });
    // Too fast: slowed to the cap, same direction.
    expect(floating.plan({ type: 'move', playerId: 'a', dx: 6, dy: -8 }, 0).intent).toEqual({
      type: 'setVelocity',
      bodyId: 'p:a',
      vxMmS: 3_000,
      vyMmS: -4_000,
    });
  });

  it('enforces the jump cooldown with the injected clock', () => {
    const rules = joined('a');
    rules.plan({ type: 'jump', playerId: 'a' }, 10_000).commit();
    expect(() => rules.plan({ type: 'jump', playerId: 'a' }, 10_499)).toThrow(PreconditionError);
    expect(() => rules.plan({ type: 'jump', playerId: 'a' }, 10_499)).toThrow(/another 1 ms/);
    expect(rules.plan({ type: 'jump', playerId: 'a' }, 10_500).intent).toEqual({
      type: 'setVelocity',
      bodyId: 'p:a',
      vyMmS: 4_000,
    });
  });

  it('a refused jump does not start the cooldown', () => {
    const rules = joined('a');
    rules.plan({ type: 'jump', playerId: 'a' }, 10_000); // planned, never committed (physics refused)
    expect(() => rules.plan({ type: 'jump', playerId: 'a' }, 10_001)).not.toThrow();
  });

  it('validates interactions and unknown players', () => {
    const rules = joined('a', 'b');
    expect(rules.plan({ type: 'interact', playerId: 'a', targetId: 'b' }, 5_000)).toMatchObject({
      entityId: 'p:b',
      event: { kind: 'interacted', playerId: 'a', targetId: 'b' },
    });
    expect(() => rules.plan({ type: 'interact', playerId: 'a', targetId: 'a' }, 5_000)).toThrow(
      /itself/,
    );
    expect(() => rules.plan({ type: 'interact', playerId: 'a', targetId: 'z' }, 5_000)).toThrow(
      EntityNotFoundError,
    );
    expect(() => rules.plan({ type: 'move', playerId: 'z', dx: 0, dy: 0 }, 5_000)).toThrow(
      'unknown player "z"',
    );
    const leave = rules.plan({ type: 'leave', playerId: 'a' }, 5_000);
    expect(leave.intent).toEqual({ type: 'removeBody', bodyId: 'p:a' });
    leave.commit();
    expect(rules.list().map((p) => p.playerId)).toEqual(['b']);
  });

  it('rate-limits each player per second', () => {
    const rules = joined('a');
    for (let i = 0; i < 5; i++)
      rules.plan({ type: 'move', playerId: 'a', dx: 0, dy: 0 }, 2_000 + i);
    expect(() => rules.plan({ type: 'move', playerId: 'a', dx: 0, dy: 0 }, 2_010)).toThrow(
      CapacityError,
    );
    expect(() => rules.plan({ type: 'move', playerId: 'a', dx: 0, dy: 0 }, 3_000)).not.toThrow();
  });

  it('lets a player over its rate leave (its body must not stay behind)', () => {
    const rules = joined('a');
    for (let i = 0; i < 5; i++)
      rules.plan({ type: 'move', playerId: 'a', dx: 0, dy: 0 }, 2_000 + i);
    expect(() => rules.plan({ type: 'jump', playerId: 'a' }, 2_010)).toThrow(
      PlayerRateLimitedError,
    );
    expect(rules.plan({ type: 'leave', playerId: 'a' }, 2_011).intent).toMatchObject({
      type: 'removeBody',
    });
  });

  it('keeps per-player entries only for joined players, whatever ids commands name', () => {
    const rules = joined('a');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            playerId: fc.string({ minLength: 1, maxLength: 62 }),
            type: fc.constantFrom('move', 'jump', 'leave', 'interact'),
          }),
          { maxLength: 200 },
        ),
        (commands) => {
          commands.forEach(({ playerId, type }, i) => {
            const command =
              type === 'move'
                ? { type, playerId, dx: 1, dy: 0 }
                : type === 'interact'
                  ? { type, playerId, targetId: 'a' }
                  : { type, playerId };
            try {
              rules.plan(command as PlayerCommand, 10_000 * i).commit();
            } catch {
              // refused: unknown player, cooldown, rate
            }
          });
          expect(rules.transientEntries()).toBeLessThanOrEqual(rules.list().length);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('round-trips its state and refuses foreign state', () => {
    const rules = joined('b', 'a');
    const bytes = encodeRulesState(rules.settings, rules.list());
    const state = decodeRulesState(bytes);
    expect(new WorldRules(state.settings, RULES, state.players).list()).toEqual(rules.list());
    expect(() => decodeRulesState(Buffer.from('{"v":2}'))).toThrow(InvalidCommandError);
    expect(() => decodeRulesState(Buffer.from('garbage'))).toThrow(
      /not an interaction-engine snapshot/,
    );
    const tagState = { ...JSON.parse(bytes.toString()), game: 'tag', it: 'a' };
    expect(() => decodeRulesState(Buffer.from(JSON.stringify(tagState)))).toThrow(
      InvalidCommandError,
    );
    expect(() => decodeRulesState(bytes, 1)).toThrow(/over MAX_PLAYERS_PER_WORLD \(1\)/);
  });
});
