import fc from 'fast-check';
import { EngineRoutes, MAX_ROUTED_WORLDS, entryAddressOf } from './engine-routes';

const FALLBACK = '127.0.0.1:50052';
const binding = (consumer: string, capabilityId: string, address: string) => ({
  capabilityId,
  consumer,
  provider: 'p',
  address,
  shard: null,
});

describe('entryAddressOf', () => {
  it("is the address of the gateway's game.interaction binding", () => {
    const bindings = [
      binding('tag-game', 'physics.simulation', 'physics-rapier:50051'),
      binding('gateway', 'game.interaction', 'tag-game:50053'),
    ];
    expect(entryAddressOf({ bindings }, FALLBACK)).toBe('tag-game:50053');
  });

  it('falls back for a record without one (a control plane that predates entries)', () => {
    expect(entryAddressOf({ bindings: [] }, FALLBACK)).toBe(FALLBACK);
    const elsewhere = [binding('other', 'game.interaction', 'x:1')];
    expect(entryAddressOf({ bindings: elsewhere }, FALLBACK)).toBe(FALLBACK);
  });
});

describe('EngineRoutes', () => {
  it('routes a world where its record says, until it learns another address', () => {
    const routes = new EngineRoutes(FALLBACK);
    expect(routes.of('tag-eu-1')).toBe(FALLBACK);
    const entry = (address: string) => [binding('gateway', 'game.interaction', address)];
    routes.learn({ id: 'tag-eu-1', bindings: entry('127.0.0.1:50053') });
    expect(routes.of('tag-eu-1')).toBe('127.0.0.1:50053');
    routes.learn({ id: 'tag-eu-1', bindings: entry('127.0.0.1:50063') });
    expect(routes.of('tag-eu-1')).toBe('127.0.0.1:50063');
    expect(routes.addresses()).toEqual([FALLBACK, '127.0.0.1:50063']);
  });

  it('stays bounded, forgetting the least recently learnt world', () => {
    const routes = new EngineRoutes(FALLBACK);
    const entry = [binding('gateway', 'game.interaction', 'a:1')];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (extra) => {
        for (let i = 0; i < MAX_ROUTED_WORLDS + extra; i++)
          routes.learn({ id: `w${i}`, bindings: entry });
        expect(routes.of(`w${MAX_ROUTED_WORLDS + extra - 1}`)).toBe('a:1');
        expect(routes.of(`w${extra - 1}`)).toBe(FALLBACK);
      }),
      { numRuns: 3 },
    );
  });
});
