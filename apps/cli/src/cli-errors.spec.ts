import * as path from 'node:path';
import { examples, replayYaml, runCli, useTempDir } from './testing/cli-harness';

// Finding 7 of the hardening issue: empty input is an error, -o json is always JSON, and a YAML
// error caused by an unquoted range or version says to quote it. Ranks (finding 6) in order.

const tmp = useTempDir();
const { write } = tmp;

const consumer = (requirement: string) => `apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: consumer-1.0.0 }
spec:
  module: consumer
  version: 1.0.0
  image: example/consumer:1.0.0
  endpoint: { port: 50051, protocol: grpc }
  requires:
${requirement}`;

describe('empty input', () => {
  it.each([
    ['an empty file', () => write('empty.yaml', '')],
    ['a file of empty documents and comments', () => write('blank.yaml', '# nothing\n---\n---\n')],
    ['a folder without YAML files', () => (write('sub/readme.txt', 'hi'), tmp.dir())],
    ['an empty folder', () => tmp.dir()],
  ])('%s is an EmptyInput error (exit 1) for validate and resolve', (_case, input) => {
    const target = input();
    for (const command of ['validate', 'resolve']) {
      const result = runCli(command, '-f', target);
      expect(result.code).toBe(1);
      expect(result.out).toBe('');
      expect(result.err).toMatch(/^anvil: EmptyInput: .*nothing to check$/);
    }
  });
});

describe('-o json is always JSON', () => {
  const json = (...argv: string[]) => {
    const result = runCli(...argv);
    expect(result.err).toBe('');
    return { code: result.code, doc: JSON.parse(result.out) };
  };

  it('resolve: invalid input gives the validation errors, with code, place and field (exit 1)', () => {
    const file = write(
      'bad.yaml',
      consumer("    - { capabilityId: a, versionConstraint: '1.x.5', scope: world }\n"),
    );
    const { code, doc } = json('resolve', '-f', file, '-o', 'json');
    expect(code).toBe(1);
    expect(doc).toEqual({
      bindings: [],
      diagnostics: [],
      errors: [
        {
          code: 'InvalidVersionConstraint',
          message: expect.stringContaining('must be a SemVer range'),
          file,
          line: 1,
          object: 'ModuleManifest/consumer-1.0.0',
          path: 'spec.requires[0].versionConstraint',
        },
      ],
    });
  });

  it.each([
    ['a missing file', () => path.join(tmp.dir(), 'missing.yaml'), 'PathNotFound', 2],
    ['malformed YAML', () => write('broken.yaml', 'kind: [unclosed\n'), 'InvalidYaml', 2],
    ['an empty file', () => write('empty.yaml', ''), 'EmptyInput', 1],
  ])('resolve and validate: %s is one coded error in JSON', (_case, input, errorCode, exit) => {
    const target = input();
    const resolved = json('resolve', '-f', target, '-o', 'json');
    expect(resolved).toEqual({
      code: exit,
      doc: {
        bindings: [],
        diagnostics: [],
        errors: [expect.objectContaining({ code: errorCode })],
      },
    });
    expect(resolved.doc.errors[0].file).toBe(target);
    const validated = json('validate', '-f', target, '-o', 'json');
    expect(validated).toEqual({
      code: exit,
      doc: { objects: 0, errors: [expect.objectContaining({ code: errorCode })] },
    });
  });

  it('resolve: no such world is a coded JSON error too', () => {
    const { code, doc } = json('resolve', '-f', examples, '--world', 'nope', '-o', 'json');
    expect(code).toBe(2);
    expect(doc.errors).toEqual([
      { code: 'WorldNotFound', message: 'no WorldInstance named "nope" in the input' },
    ]);
  });

  it('validate: counts the objects and lists every error', () => {
    expect(json('validate', '-f', examples, '-o', 'json')).toEqual({
      code: 0,
      doc: { objects: expect.any(Number), errors: [] },
    });
    const file = write(
      'bad.yaml',
      consumer("    - { capabilityId: a, versionConstraint: '^^1', scope: galaxy }\n"),
    );
    const { code, doc } = json('validate', '-f', file, '-o', 'json');
    expect(code).toBe(1);
    expect(doc.objects).toBe(1);
    expect(
      doc.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`).sort(),
    ).toEqual([
      'spec.requires[0].scope SchemaViolation',
      'spec.requires[0].versionConstraint InvalidVersionConstraint',
    ]);
  });

  it('validate -o yaml is YAML, and an unknown format is refused', () => {
    expect(runCli('validate', '-f', examples, '-o', 'yaml').out).toMatch(
      /^objects: \d+\nerrors: \[\]$/,
    );
    expect(runCli('validate', '-f', examples, '-o', 'xml')).toMatchObject({
      code: 2,
      err: 'anvil: UnknownOutputFormat: -o xml: unknown output format; use one of text, json, yaml',
    });
  });
});

describe('an unquoted range or version', () => {
  it.each([
    [
      'a block range >=1.0.0',
      '    - capabilityId: a\n      versionConstraint: >=1.0.0\n      scope: world\n',
      11,
      'versionConstraint: ">=1.0.0"',
    ],
    [
      'a flow range >=1.0.0 <2.0.0',
      '    - { capabilityId: a, versionConstraint: >=1.0.0 <2.0.0, scope: world }\n',
      10,
      'versionConstraint: ">=1.0.0 <2.0.0"',
    ],
    [
      'the range *',
      '    - { capabilityId: a, versionConstraint: *, scope: world }\n',
      10,
      'versionConstraint: "*"',
    ],
    [
      'an alias-like range *x',
      '    - capabilityId: a\n      versionConstraint: *x\n      scope: world\n',
      11,
      'versionConstraint: "*x"',
    ],
    [
      'the range || 2',
      '    - capabilityId: a\n      versionConstraint: || 2\n      scope: world\n',
      11,
      'versionConstraint: "|| 2"',
    ],
  ])('%s: says to quote it, with file:line (exit 2)', (_case, requirement, line, quoted) => {
    const file = write('unquoted.yaml', consumer(requirement));
    const result = runCli('validate', '-f', file);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`anvil: InvalidYaml: ${file}:${line}:`);
    expect(result.err).toContain(`must be quoted: ${quoted}`);
  });

  it('a version >1.0.0 is a version to quote', () => {
    const file = write(
      'v.yaml',
      'apiVersion: anvil.dev/v1alpha1\nkind: ModuleManifest\nspec:\n  version: >1.0.0\n',
    );
    expect(runCli('validate', '-f', file).err).toContain(`${file}:4:`);
    expect(runCli('validate', '-f', file).err).toContain(
      'a SemVer version must be quoted: version: ">1.0.0"',
    );
  });

  it('other YAML errors get no quoting advice', () => {
    const file = write('broken.yaml', 'kind: [unclosed\n');
    expect(runCli('validate', '-f', file).err).not.toContain('quoted');
  });
});

describe('ranked bindings', () => {
  it('resolve lists a "many" requirement\'s bindings preferred first, with their rank (inline replay game over the examples)', () => {
    const replay = write('replay.yaml', replayYaml);
    const args = ['resolve', '-f', examples, '-f', replay, '--world', 'replay-1'];
    const plan = JSON.parse(runCli(...args, '-o', 'json').out);
    const sinks = plan.bindings.filter(
      (b: { capabilityId: string }) => b.capabilityId === 'analytics.sink',
    );
    expect(
      sinks.map((b: { provider: string; providerVersion: string; rank: number }) => [
        b.provider,
        b.providerVersion,
        b.rank,
      ]),
    ).toEqual([
      ['analytics-archive', '1.2.0', 0],
      ['analytics-kafka', '1.0.0', 1],
    ]);
    expect(
      plan.bindings
        .filter((b: { multiplicity: string }) => b.multiplicity === '1')
        .map((b: { rank: number }) => b.rank),
    ).toEqual([0, 0]);
    const table = runCli(...args).out.split('\n');
    const rows = table.filter((l) => l.includes('analytics.sink'));
    expect(rows.map((l) => l.split(/\s+/).slice(4, 7))).toEqual([
      ['analytics-archive', '1.2.0', '0'],
      ['analytics-kafka', '1.0.0', '1'],
    ]);
  });

  it('ranks the single provider of the examples\' "many" requirement first', () => {
    const plan = JSON.parse(
      runCli('resolve', '-f', examples, '--world', 'arena-eu-1', '-o', 'json').out,
    );
    expect(
      plan.bindings
        .filter((b: { capabilityId: string }) => b.capabilityId === 'analytics.sink')
        .map((b: { provider: string; rank: number }) => [b.provider, b.rank]),
    ).toEqual([['analytics-kafka', 0]]);
  });
});
