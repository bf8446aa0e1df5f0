import { resolve } from './resolve';
import { resolveWorld } from './resolve-world';
import type { GameDefinition, WorldInstance } from './types';

const world: WorldInstance = {
  apiVersion: 'anvil.dev/v1alpha1',
  kind: 'WorldInstance',
  metadata: { name: 'w1', namespace: 'games' },
  spec: { gameRef: 'arena', region: 'eu', shards: 1 },
};

describe('resolveWorld', () => {
  it('is resolve() when the game exists', () => {
    const game: GameDefinition = {
      apiVersion: 'anvil.dev/v1alpha1',
      kind: 'GameDefinition',
      metadata: { name: 'arena', namespace: 'games' },
      spec: { modules: [{ name: 'm' }] },
    };
    expect(resolveWorld(world, game, [])).toEqual(resolve(world, game, []));
  });

  it('reports a missing game as one GameNotFound error naming the ref and namespace', () => {
    const resolution = resolveWorld(world, undefined, []);
    expect(resolution.bindings).toEqual([]);
    expect(resolution.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'GameNotFound' }),
    ]);
    expect(resolution.diagnostics[0].message).toContain('"arena", which is not in namespace games');
  });
});
