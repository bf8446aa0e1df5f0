import fc from 'fast-check';
import { game, manifest, need, offer, world } from './testing/builders';
import { API_VERSION, CapabilityBinding } from './types';
import {
  validateCapabilityBinding,
  validateGameDefinition,
  validateManifest,
  validateObject,
  validateWorldInstance,
} from './validate';

const binding: CapabilityBinding = {
  apiVersion: API_VERSION,
  kind: 'CapabilityBinding',
  metadata: { name: 'w.c.x.p' },
  spec: {
    worldRef: 'w',
    consumer: { module: 'c', version: '1.0.0' },
    provider: { module: 'p', version: '1.0.0', endpoint: { port: 50051, protocol: 'grpc' } },
    capabilityId: 'x',
    capabilityVersion: '1.2.0',
    scope: 'world-shard',
    multiplicity: '1',
    rank: 0,
    shard: 0,
  },
};

const validManifest = manifest('interaction-engine', '1.0.0', {
  provides: [
    offer('game.interaction', '1.0.0'),
    offer('game.rules', '2.0.0-rc.1+build.5', 'session'),
  ],
  requires: [
    need('physics.simulation', '>=1.2.0 <2.0.0'),
    need('analytics.sink', '^1.0.0', { multiplicity: 'many', dependencyMode: 'optional' }),
  ],
});

/** A deep copy of obj with `path` (dotted, [i] for items) set to value (undefined deletes). */
function withField<T>(obj: T, path: string, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

describe('validateObject', () => {
  it.each([
    ['ModuleManifest', validManifest],
    [
      'GameDefinition',
      game([{ name: 'physics-rapier', versionConstraint: '^1.0.0' }, 'analytics-kafka']),
    ],
    [
      'WorldInstance',
      {
        ...world('arena-eu-1', 2, 'arena'),
        spec: { ...world().spec, limits: { maxPlayers: 64, tickRateHz: 30 } },
      },
    ],
    ['CapabilityBinding', binding],
  ])('accepts a valid %s', (_, obj) => {
    expect(validateObject(obj)).toEqual([]);
  });

  it.each([
    ['apiVersion', 'anvil.dev/v1', 'apiVersion', 'InvalidApiVersion'],
    ['kind', 'Planet', 'kind', 'UnknownKind'],
    ['metadata', undefined, 'metadata', 'Required'],
    ['metadata.name', 'Not_A_Name', 'metadata.name', 'InvalidName'],
    ['metadata.name', 'x'.repeat(254), 'metadata.name', 'TooLong'],
    ['spec', 'nope', 'spec', 'NotAnObject'],
    ['spec.module', 'Physics', 'spec.module', 'InvalidName'],
    ['spec.module', 'a.b', 'spec.module', 'InvalidName'],
    ['spec.module', undefined, 'spec.module', 'Required'],
    ['spec.version', 'v1.0.0', 'spec.version', 'InvalidVersion'],
    ['spec.version', '1.0', 'spec.version', 'InvalidVersion'],
    ['spec.version', 1, 'spec.version', 'WrongType'],
    ['spec.image', '', 'spec.image', 'Empty'],
    ['spec.endpoint', undefined, 'spec.endpoint', 'Required'],
    ['spec.endpoint.port', 0, 'spec.endpoint.port', 'OutOfRange'],
    ['spec.endpoint.port', 65536, 'spec.endpoint.port', 'OutOfRange'],
    ['spec.endpoint.port', 80.5, 'spec.endpoint.port', 'WrongType'],
    ['spec.endpoint.protocol', 'udp', 'spec.endpoint.protocol', 'NotInEnum'],
    ['spec.provides', {}, 'spec.provides', 'WrongType'],
    ['spec.provides[1]', 'x', 'spec.provides[1]', 'NotAnObject'],
    ['spec.provides[1].version', '2', 'spec.provides[1].version', 'InvalidVersion'],
    ['spec.provides[1].scope', 'galaxy', 'spec.provides[1].scope', 'NotInEnum'],
    [
      'spec.provides[1].capabilityId',
      'game.interaction',
      'spec.provides[1].capabilityId',
      'Duplicate',
    ],
    ['spec.provides[0].capabilityId', 'Bad Id', 'spec.provides[0].capabilityId', 'InvalidName'],
    [
      'spec.requires[0].versionConstraint',
      '^^1',
      'spec.requires[0].versionConstraint',
      'InvalidVersionConstraint',
    ],
    [
      'spec.requires[0].versionConstraint',
      '',
      'spec.requires[0].versionConstraint',
      'InvalidVersionConstraint',
    ],
    [
      'spec.requires[0].versionConstraint',
      '   ',
      'spec.requires[0].versionConstraint',
      'InvalidVersionConstraint',
    ],
    ['spec.requires[0].scope', undefined, 'spec.requires[0].scope', 'Required'],
    ['spec.requires[1].multiplicity', 'two', 'spec.requires[1].multiplicity', 'NotInEnum'],
    ['spec.requires[1].dependencyMode', 'maybe', 'spec.requires[1].dependencyMode', 'NotInEnum'],
    [
      'spec.requires[1].capabilityId',
      'physics.simulation',
      'spec.requires[1].capabilityId',
      'Duplicate',
    ],
  ])('ModuleManifest: %s = %j is an issue at %s (%s)', (field, value, path, code) => {
    const issues = validateObject(withField(validManifest, field, value));
    expect(issues).toContainEqual({ path, code, message: expect.any(String) });
    expect(validateManifest(withField(validManifest, field, value))).toContainEqual(
      expect.objectContaining({ path, code }),
    );
  });

  it('accepts a requirement without multiplicity and dependencyMode (the CRD defaults them)', () => {
    const bare = withField(
      withField(validManifest, 'spec.requires[0].multiplicity', undefined),
      'spec.requires[0].dependencyMode',
      undefined,
    );
    expect(validateObject(bare)).toEqual([]);
  });

  it('names the other occurrence of a duplicate capability id', () => {
    const dup = withField(validManifest, 'spec.requires[1].capabilityId', 'physics.simulation');
    expect(validateObject(dup)).toEqual([
      {
        path: 'spec.requires[1].capabilityId',
        code: 'Duplicate',
        message:
          'capabilityId "physics.simulation" appears more than once (also at spec.requires[0])',
      },
    ]);
  });

  it.each([
    ['spec.modules', [], 'spec.modules', 'Empty'],
    ['spec.modules', undefined, 'spec.modules', 'Required'],
    ['spec.modules[1].name', 'physics-rapier', 'spec.modules[1].name', 'Duplicate'],
    ['spec.modules[0].name', 'Physics', 'spec.modules[0].name', 'InvalidName'],
    [
      'spec.modules[0].versionConstraint',
      'latest',
      'spec.modules[0].versionConstraint',
      'InvalidVersionConstraint',
    ],
    ['spec.description', 'd'.repeat(1025), 'spec.description', 'TooLong'],
  ])('GameDefinition: %s = %j is an issue at %s (%s)', (field, value, path, code) => {
    const g = game([{ name: 'physics-rapier', versionConstraint: '^1.0.0' }, 'analytics-kafka']);
    expect(validateGameDefinition(withField(g, field, value))).toContainEqual(
      expect.objectContaining({ path, code }),
    );
  });

  it.each([
    ['spec.shards', 0, 'spec.shards', 'OutOfRange'],
    ['spec.shards', 1025, 'spec.shards', 'OutOfRange'],
    ['spec.shards', 1.5, 'spec.shards', 'WrongType'],
    ['spec.shards', undefined, 'spec.shards', 'Required'],
    ['spec.gameRef', '', 'spec.gameRef', 'Empty'],
    ['spec.gameRef', 'Arena', 'spec.gameRef', 'InvalidName'],
    ['spec.region', '', 'spec.region', 'Empty'],
    ['spec.limits', { tickRateHz: 241 }, 'spec.limits.tickRateHz', 'OutOfRange'],
  ])('WorldInstance: %s = %j is an issue at %s (%s)', (field, value, path, code) => {
    expect(validateWorldInstance(withField(world(), field, value))).toContainEqual(
      expect.objectContaining({ path, code }),
    );
  });

  it.each([
    ['spec.capabilityVersion', '1', 'spec.capabilityVersion', 'InvalidVersion'],
    ['spec.shard', -1, 'spec.shard', 'OutOfRange'],
    ['spec.provider.endpoint', undefined, 'spec.provider.endpoint', 'Required'],
    ['spec.consumer.module', 'C', 'spec.consumer.module', 'InvalidName'],
    ['spec.multiplicity', undefined, 'spec.multiplicity', 'Required'],
    ['spec.rank', undefined, 'spec.rank', 'Required'],
    ['spec.rank', -1, 'spec.rank', 'OutOfRange'],
    ['spec.rank', 0.5, 'spec.rank', 'WrongType'],
  ])('CapabilityBinding: %s = %j is an issue at %s (%s)', (field, value, path, code) => {
    expect(validateCapabilityBinding(withField(binding, field, value))).toContainEqual(
      expect.objectContaining({ path, code }),
    );
  });

  it('checks the kind a specific validator expects', () => {
    expect(validateManifest(world())).toContainEqual(
      expect.objectContaining({ path: 'kind', code: 'UnknownKind' }),
    );
  });

  it.each([null, undefined, 42, 'text', [], [validManifest]])(
    'answers %j with one issue and never throws',
    (input) => {
      expect(validateObject(input)).toEqual([
        { path: '', code: 'NotAnObject', message: 'must be an object' },
      ]);
      expect(validateManifest(input)).toHaveLength(1);
    },
  );

  it('never throws on anything, and every issue has a path, a code and a message', () => {
    const garbage = fc.anything({
      withBigInt: true,
      withNullPrototype: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
    });
    const kinds = fc.constantFrom(
      'ModuleManifest',
      'GameDefinition',
      'WorldInstance',
      'CapabilityBinding',
    );
    const shaped = fc.record({
      apiVersion: fc.constant(API_VERSION),
      kind: kinds,
      metadata: garbage,
      spec: fc.dictionary(fc.string(), garbage),
    });
    fc.assert(
      fc.property(fc.oneof(garbage, shaped), (input) => {
        for (const validate of [
          validateObject,
          validateManifest,
          validateGameDefinition,
          validateWorldInstance,
          validateCapabilityBinding,
        ]) {
          for (const issue of validate(input)) {
            expect(issue).toEqual({
              path: expect.any(String),
              code: expect.any(String),
              message: expect.any(String),
            });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
