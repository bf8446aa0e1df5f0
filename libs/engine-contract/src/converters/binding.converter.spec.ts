import { InvalidCommandError } from '../errors/engine-error';
import type { WorldBinding } from '../generated/game/engine/v1/engine';
import { boundAddress } from './binding.converter';

const physics: WorldBinding = {
  capabilityId: 'physics.simulation',
  consumer: 'interaction-engine',
  provider: 'physics-rapier',
  address: 'physics-rapier.games.svc:50051',
};

describe('boundAddress', () => {
  it("is the address of the binding whose consumer is the engine's module", () => {
    const other = { ...physics, consumer: 'analytics', address: '10.0.0.1:1' };
    expect(boundAddress([other, physics], 'interaction-engine', 'physics.simulation', 'x:1')).toBe(
      'physics-rapier.games.svc:50051',
    );
  });

  it('falls back to the configured address when the world binds nothing for the module', () => {
    expect(boundAddress(undefined, 'interaction-engine', 'physics.simulation', 'x:1')).toBe('x:1');
    expect(boundAddress([physics], 'other', 'physics.simulation', 'x:1')).toBe('x:1');
    expect(boundAddress([physics], 'interaction-engine', 'storage', 'x:1')).toBe('x:1');
  });

  it('takes shard 0 of a world-shard capability', () => {
    const shard = (n: number) => ({ ...physics, shard: n, address: `shard-${n}:50051` });
    expect(
      boundAddress([shard(1), shard(0)], 'interaction-engine', 'physics.simulation', 'x:1'),
    ).toBe('shard-0:50051');
  });

  it.each([
    ['no port', 'physics-rapier'],
    ['a URL', 'http://physics:50051'],
    ['an empty address', ''],
  ])('refuses a binding address with %s as INVALID_ARGUMENT naming the entry', (_, address) => {
    const call = () =>
      boundAddress([physics, { ...physics, address }], 'm', 'physics.simulation', 'x:1');
    expect(call).toThrow(InvalidCommandError);
    expect(call).toThrow(/^bindings\[1\]\.address must be host:port/);
  });

  it('refuses more bindings than the contract allows', () => {
    const many = Array.from({ length: 1_001 }, () => physics);
    expect(() => boundAddress(many, 'm', 'c', 'x:1')).toThrow(/at most 1000 entries/);
  });
});
