import fc from 'fast-check';
import { GameStates, MAX_GAME_STATES } from './game-states';

const state = (worldId: string, tick: number) => ({
  worldId,
  module: 'tag-game',
  tick,
  state: { it: `p${tick}` },
});

describe('GameStates', () => {
  it('keeps the latest tick of each world, whatever order the states come in', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1_000 }), { minLength: 1, maxLength: 30 }), (ticks) => {
        const states = new GameStates();
        for (const tick of ticks) states.offer(state('w', tick));
        expect(states.get('w')?.tick).toBe(Math.max(...ticks));
      }),
    );
  });

  it('refuses an older state, and forgets the least recently changed world past the bound', () => {
    const states = new GameStates();
    expect(states.offer(state('w', 5))).toBe(true);
    expect(states.offer(state('w', 4))).toBe(false);
    for (let i = 0; i < MAX_GAME_STATES; i++) states.offer(state(`x${i}`, 1));
    expect(states.get('w')).toBeUndefined();
    expect(states.get(`x${MAX_GAME_STATES - 1}`)).toBeDefined();
  });
});
