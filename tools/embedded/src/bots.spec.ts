import { BOTS_ANNOTATION, botsOf } from './bots';

const world = (annotations?: Record<string, string>) => ({
  world: {
    apiVersion: 'anvil.dev/v1alpha1' as const,
    kind: 'WorldInstance' as const,
    metadata: { name: 'w', ...(annotations ? { annotations } : {}) },
    spec: { gameRef: 'g', region: 'r', shards: 1 },
  },
});

describe('botsOf', () => {
  it("takes the world's annotation when it is a whole number, capped at 50", () => {
    expect(botsOf(world({ [BOTS_ANNOTATION]: '0' }), 3)).toBe(0);
    expect(botsOf(world({ [BOTS_ANNOTATION]: '7' }), 3)).toBe(7);
    expect(botsOf(world({ [BOTS_ANNOTATION]: '99' }), 3)).toBe(50);
  });

  it('falls back to --bots without one, or for anything else', () => {
    expect(botsOf(world(), 3)).toBe(3);
    for (const bad of ['', '-1', '1.5', 'many', '1e3', '100'])
      expect(botsOf(world({ [BOTS_ANNOTATION]: bad }), 3)).toBe(3);
  });
});
