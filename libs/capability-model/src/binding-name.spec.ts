import fc from 'fast-check';
import { bindingName, BindingNameParts } from './binding-name';
import { DNS1123_SUBDOMAIN } from './patterns';

const parts = (overrides: Partial<BindingNameParts> = {}): BindingNameParts => ({
  world: 'arena-eu-1',
  consumer: 'interaction-engine',
  capabilityId: 'physics.simulation',
  provider: 'physics-rapier',
  shard: null,
  ...overrides,
});

describe('bindingName', () => {
  it.each([
    [parts(), 'arena-eu-1.interaction-engine.physics.simulation.physics-rapier'],
    [
      parts({ shard: 0 }),
      'arena-eu-1.interaction-engine.physics.simulation.physics-rapier.shard-0',
    ],
    [
      parts({ shard: 17 }),
      'arena-eu-1.interaction-engine.physics.simulation.physics-rapier.shard-17',
    ],
  ])(
    'is the readable <world>.<consumer>.<capability>.<provider>[.shard-N] for clean parts',
    (p, expected) => {
      expect(bindingName(p)).toBe(expected);
    },
  );

  it.each([
    [
      'a dotted world name (ambiguous with the consumer)',
      parts({ world: 'arena.eu' }),
      /^arena\.eu\.interaction-engine\.physics\.simulation\.physics-rapier-[0-9a-f]{8}$/,
    ],
    [
      'upper case and underscores',
      parts({ world: 'Arena_EU' }),
      /^arena-eu\.interaction-engine\.physics\.simulation\.physics-rapier-[0-9a-f]{8}$/,
    ],
    [
      'a provider named like the shard suffix',
      parts({ provider: 'shard-1' }),
      /^arena-eu-1\.interaction-engine\.physics\.simulation\.shard-1-[0-9a-f]{8}$/,
    ],
    [
      'an empty world name',
      parts({ world: '' }),
      /^interaction-engine\.physics\.simulation\.physics-rapier-[0-9a-f]{8}$/,
    ],
  ])('appends a hash of the exact parts when sanitising is lossy: %s', (_, p, expected) => {
    expect(bindingName(p)).toMatch(expected);
  });

  it('keeps lossy variants apart', () => {
    const names = [
      parts({ world: 'Arena' }),
      parts({ world: 'arena_' }),
      parts({ world: 'ARENA' }),
      parts({ world: 'a.b', consumer: 'c' }),
      parts({ world: 'a', consumer: 'b.c' }),
    ].map(bindingName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('truncates long names to 253 characters, ending in the hash', () => {
    const long = parts({
      world: 'w'.repeat(63),
      consumer: 'c'.repeat(63),
      capabilityId: `${'x'.repeat(60)}.${'y'.repeat(60)}`,
      provider: 'p'.repeat(63),
      shard: 1023,
    });
    const name = bindingName(long);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    expect(name).toMatch(DNS1123_SUBDOMAIN);
    expect(bindingName({ ...long, shard: 1022 })).not.toBe(name);
  });

  it('always gives a stable DNS-1123 subdomain of at most 253 characters, distinct for distinct parts', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('a', 'shard-2', 'x.y', 'A', '-', '.', ''),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    const arb = fc.record({
      world: text,
      consumer: text,
      capabilityId: text,
      provider: text,
      shard: fc.option(fc.nat(2000), { nil: null }),
    });
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const name = bindingName(a);
        expect(name).toBe(bindingName({ ...a }));
        expect(name.length).toBeLessThanOrEqual(253);
        expect(name).toMatch(DNS1123_SUBDOMAIN);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(bindingName(b)).not.toBe(name);
      }),
      { numRuns: 500 },
    );
  });
});
