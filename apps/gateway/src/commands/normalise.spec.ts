import { normaliseCommand } from './normalise';

describe('normaliseCommand', () => {
  it('takes the player from the token and rounds moves to mm/s', () => {
    expect(
      normaliseCommand({ seq: 4, worldId: 'w', type: 'move', dx: 1.23456, dy: -0.0001 }, 'alice'),
    ).toEqual({
      seq: 4,
      worldId: 'w',
      command: { type: 'move', playerId: 'alice', dx: 1.235, dy: 0 },
    });
    const stop = normaliseCommand({ seq: 1, worldId: 'w', type: 'move', dx: -0 }, 'a').command as {
      dx: number;
    };
    expect(Object.is(stop.dx, 0)).toBe(true);
  });

  it('keeps jump and interact as they are, with the trace', () => {
    expect(
      normaliseCommand(
        {
          seq: 2,
          worldId: 'w',
          type: 'jump',
          trace: '00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01',
        },
        'bob',
      ),
    ).toMatchObject({
      command: { type: 'jump', playerId: 'bob' },
      trace: expect.stringMatching(/^00-/),
    });
    expect(
      normaliseCommand({ seq: 3, worldId: 'w', type: 'interact', targetId: 'carol' }, 'bob')
        .command,
    ).toEqual({ type: 'interact', playerId: 'bob', targetId: 'carol' });
  });
});
