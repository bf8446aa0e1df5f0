import fc from 'fast-check';
import type { CapabilityBindingSpec } from './types';
import { bindingAddresses, endpointAddress, WORLD_ID_PATTERN, worldIdOf } from './world-wiring';

const binding = (
  consumer: string,
  capabilityId: string,
  provider: string,
  endpoint: CapabilityBindingSpec['provider']['endpoint'],
  shard?: number,
) => ({
  metadata: { namespace: 'games' },
  spec: {
    worldRef: 'w1',
    consumer: { module: consumer, version: '1.0.0' },
    provider: { module: provider, version: '1.3.0', endpoint },
    capabilityId,
    capabilityVersion: '1.3.0',
    scope: 'world',
    multiplicity: '1',
    ...(shard === undefined ? {} : { shard }),
  } as CapabilityBindingSpec,
});

describe('worldIdOf', () => {
  it('is the name in the default namespace and namespace:name elsewhere', () => {
    expect(worldIdOf({ name: 'arena-eu-1' })).toBe('arena-eu-1');
    expect(worldIdOf({ name: 'arena-eu-1', namespace: 'default' })).toBe('arena-eu-1');
    expect(worldIdOf({ name: 'arena-eu-1', namespace: 'games' })).toBe('games:arena-eu-1');
  });

  it('gives ids the engines accept for every DNS-1123 name and namespace of legal length', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, label, (name, namespace) => {
        expect(worldIdOf({ name, namespace })).toMatch(WORLD_ID_PATTERN);
      }),
    );
  });
});

describe('endpointAddress', () => {
  it("uses the endpoint's host when the manifest names one", () => {
    expect(
      endpointAddress({ host: '10.0.0.7', port: 50051, protocol: 'grpc' }, 'physics', 'games'),
    ).toBe('10.0.0.7:50051');
  });

  it("defaults to the module's Service in the manifest's namespace", () => {
    expect(endpointAddress({ port: 50051, protocol: 'grpc' }, 'physics-rapier', 'games')).toBe(
      'physics-rapier.games.svc:50051',
    );
    expect(
      endpointAddress({ port: 50052, protocol: 'grpc' }, 'interaction-engine', undefined),
    ).toBe('interaction-engine.default.svc:50052');
  });
});

describe('bindingAddresses', () => {
  it('lists each binding with its provider address, in a stable order', () => {
    const list = [
      binding('interaction-engine', 'physics.simulation', 'physics-rapier', {
        port: 50051,
        protocol: 'grpc',
      }),
      binding(
        'physics-rapier',
        'storage.checkpoint',
        'pg',
        { host: 'db', port: 5432, protocol: 'grpc' },
        1,
      ),
      binding(
        'physics-rapier',
        'storage.checkpoint',
        'pg',
        { host: 'db', port: 5432, protocol: 'grpc' },
        0,
      ),
    ];
    const expected = [
      {
        capabilityId: 'physics.simulation',
        consumer: 'interaction-engine',
        provider: 'physics-rapier',
        address: 'physics-rapier.games.svc:50051',
        shard: null,
      },
      {
        capabilityId: 'storage.checkpoint',
        consumer: 'physics-rapier',
        provider: 'pg',
        address: 'db:5432',
        shard: 0,
      },
      {
        capabilityId: 'storage.checkpoint',
        consumer: 'physics-rapier',
        provider: 'pg',
        address: 'db:5432',
        shard: 1,
      },
    ];
    expect(bindingAddresses(list)).toEqual(expected);
    expect(bindingAddresses([...list].reverse())).toEqual(expected);
  });
});
