import * as path from 'node:path';
import { examples, replayYaml, runCli, useTempDir } from './testing/cli-harness';

const tmp = useTempDir();
const { write } = tmp;

const manifest = (name: string, extra = '') => `
apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: ${name}-1.0.0 }
spec:
  module: ${name}
  version: 1.0.0
  image: example/${name}:1.0.0
  endpoint: { port: 50051, protocol: grpc }
${extra}`;

describe('anvil validate', () => {
  it('accepts the shipped examples', () => {
    const result = runCli('validate', '-f', examples);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^\d+ object\(s\) valid$/);
  });

  it('names the file, line, object and field of each problem', () => {
    const file = write(
      'bad.yaml',
      manifest(
        'consumer',
        `  requires:
    - { capabilityId: physics.simulation, versionConstraint: '^^1', scope: galaxy }
`,
      ),
    );
    const result = runCli('validate', '-f', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${file}:2: ModuleManifest/consumer-1.0.0: spec.requires[0].scope: must be one of`,
    );
    expect(result.err).toContain('spec.requires[0].versionConstraint');
    expect(result.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('reports a missing required field and a wrong kind', () => {
    const file = write(
      'two.yaml',
      `apiVersion: anvil.dev/v1alpha1
kind: WorldInstance
metadata: { name: w }
spec: { region: eu, shards: 0 }
---
apiVersion: anvil.dev/v1alpha1
kind: Planet
metadata: { name: p }
`,
    );
    const result = runCli('validate', '-f', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain('WorldInstance/w: spec.gameRef: is required');
    expect(result.err).toContain('WorldInstance/w: spec.shards: must be >= 1');
    expect(result.err).toContain(`${file}:6: Planet/p: kind: must be one of`);
  });

  it('exits 2 with the position when YAML is malformed', () => {
    const file = write('broken.yaml', 'kind: [unclosed\n');
    const result = runCli('validate', '-f', file);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      new RegExp(`^anvil: InvalidYaml: ${escape(file)}:\\d+:\\d+: invalid YAML`),
    );
  });

  it('exits 2 when a path does not exist or no path is given', () => {
    expect(runCli('validate', '-f', path.join(tmp.dir(), 'missing.yaml'))).toMatchObject({
      code: 2,
    });
    expect(runCli('validate', '-f', path.join(tmp.dir(), 'missing.yaml')).err).toContain(
      'no such file or folder',
    );
    expect(runCli('validate').code).toBe(2);
  });
});

describe('anvil resolve', () => {
  it('prints exactly the documented JSON for the examples and exits 0', () => {
    const result = runCli('resolve', '-f', examples, '--world', 'arena-eu-1', '-o', 'json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.out);
    expect(Object.keys(plan)).toEqual(['bindings', 'diagnostics', 'errors']);
    expect(plan.errors).toEqual([]);
    expect(plan.diagnostics).toEqual([]);
    for (const binding of plan.bindings) {
      expect(Object.keys(binding)).toEqual([
        'name',
        'world',
        'consumer',
        'capabilityId',
        'provider',
        'providerVersion',
        'scope',
        'multiplicity',
        'rank',
        'shard',
      ]);
    }
    expect(plan.bindings).toEqual([
      {
        name: 'arena-eu-1.interaction-engine.analytics.sink.analytics-kafka',
        world: 'arena-eu-1',
        consumer: 'interaction-engine',
        capabilityId: 'analytics.sink',
        provider: 'analytics-kafka',
        providerVersion: '1.0.0',
        scope: 'world',
        multiplicity: 'many',
        rank: 0,
        shard: null,
      },
      {
        name: 'arena-eu-1.interaction-engine.physics.simulation.physics-rapier',
        world: 'arena-eu-1',
        consumer: 'interaction-engine',
        capabilityId: 'physics.simulation',
        provider: 'physics-rapier',
        providerVersion: '1.4.0',
        scope: 'world',
        multiplicity: '1',
        rank: 0,
        shard: null,
      },
    ]);
  });

  it('binds a world-shard requirement once per shard (inline replay game over the examples)', () => {
    const replay = write('replay.yaml', replayYaml);
    const result = runCli(
      'resolve',
      '-f',
      examples,
      '-f',
      replay,
      '--world',
      'replay-1',
      '-o',
      'json',
    );
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.out);
    const checkpoints = plan.bindings.filter(
      (b: { capabilityId: string }) => b.capabilityId === 'state.checkpoint',
    );
    expect(
      checkpoints.map(
        (b: { provider: string; providerVersion: string; scope: string; shard: number }) => [
          b.provider,
          b.providerVersion,
          b.scope,
          b.shard,
        ],
      ),
    ).toEqual([
      ['physics-rapier', '1.1.0', 'world-shard', 0],
      ['physics-rapier', '1.1.0', 'world-shard', 1],
    ]);
    const sinks = plan.bindings.filter(
      (b: { capabilityId: string }) => b.capabilityId === 'analytics.sink',
    );
    expect(sinks.map((b: { provider: string }) => b.provider).sort()).toEqual([
      'analytics-archive',
      'analytics-kafka',
    ]);
    expect(plan.bindings).toHaveLength(4);
  });

  it('prints YAML and an aligned table', () => {
    expect(runCli('resolve', '-f', examples, '-o', 'yaml').out).toMatch(/^bindings:\n {2}- name: /);
    const table = runCli('resolve', '-f', examples, '--world', 'arena-eu-1').out.split('\n');
    expect(table[0]).toMatch(
      /^\s+WORLD\s+CONSUMER\s+CAPABILITY\s+PROVIDER\s+VERSION\s+RANK\s+SCOPE\s+SHARD$/,
    );
    const providerColumn = table[0].indexOf('PROVIDER');
    expect(table[1].slice(providerColumn).trim()).not.toBe('');
    expect(table.at(-1)).toBe('1 world(s), 2 binding(s), 0 error(s), 0 warning(s)');
  });

  it('marks an unresolved required capability and exits 1', () => {
    const file = write(
      'game.yaml',
      `${manifest(
        'consumer',
        `  requires:
    - { capabilityId: physics.simulation, versionConstraint: ^3.0.0, scope: world, multiplicity: '1', dependencyMode: required }
`,
      )}---${manifest(
        'provider',
        `  provides:
    - { capabilityId: physics.simulation, version: 2.1.0, scope: world }
`,
      )}---
apiVersion: anvil.dev/v1alpha1
kind: GameDefinition
metadata: { name: g }
spec: { modules: [{ name: consumer }, { name: provider }] }
---
apiVersion: anvil.dev/v1alpha1
kind: WorldInstance
metadata: { name: w1 }
spec: { gameRef: g, region: eu, shards: 1 }
`,
    );
    const table = runCli('resolve', '-f', file);
    expect(table.code).toBe(1);
    expect(table.out).toMatch(/^✗\s+w1\s+consumer\s+physics\.simulation\s+UNRESOLVED/m);
    expect(table.out).toMatch(/provider 2\.1\.0 \(world\): VersionOutOfRange/);
    const json = JSON.parse(runCli('resolve', '-f', file, '-o', 'json').out);
    expect(json.bindings).toEqual([]);
    expect(json.diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'RequirementUnresolved',
      consumer: 'consumer',
    });
  });

  it('reports a world whose game is missing', () => {
    const file = write(
      'w.yaml',
      'apiVersion: anvil.dev/v1alpha1\nkind: WorldInstance\nmetadata: { name: lonely }\nspec: { gameRef: nowhere, region: eu, shards: 1 }\n',
    );
    const result = runCli('resolve', '-f', file, '-o', 'json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out).diagnostics[0]).toMatchObject({ code: 'GameNotFound' });
  });

  it('refuses an unknown world, an unknown format and invalid input', () => {
    expect(runCli('resolve', '-f', examples, '--world', 'nope')).toMatchObject({
      code: 2,
      err: 'anvil: WorldNotFound: no WorldInstance named "nope" in the input',
    });
    expect(runCli('resolve', '-f', examples, '-o', 'xml').code).toBe(2);
    const bad = write(
      'bad.yaml',
      manifest('x', '  provides:\n    - { capabilityId: a, version: not-semver, scope: world }\n'),
    );
    const result = runCli('resolve', '-f', bad);
    expect(result.code).toBe(1);
    expect(result.err).toContain('spec.provides[0].version');
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
