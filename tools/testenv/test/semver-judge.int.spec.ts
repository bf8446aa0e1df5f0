import * as path from 'node:path';
import { validateManifest, type ModuleManifest } from '@anvil/capability-model';
import { kubectl, kubectlOk } from '../lib/kubectl.cjs';

// The one SemVer judge against the real API server: ranges and versions on which
// `anvil validate` and `kubectl apply` used to disagree get the same verdict from both.

const repo = path.join(__dirname, '..', '..', '..');
const namespace = `semver-${process.pid}`;

beforeAll(async () => {
  await kubectlOk(['apply', '--server-side', '-f', path.join(repo, 'deploy', 'crds')]);
  await kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/modulemanifests.anvil.dev',
  ]);
  await kubectlOk(['create', 'namespace', namespace]);
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

function manifest(version: string, versionConstraint: string): ModuleManifest {
  return {
    apiVersion: 'anvil.dev/v1alpha1',
    kind: 'ModuleManifest',
    metadata: { name: 'judged', namespace },
    spec: {
      module: 'judged',
      version,
      image: 'example/judged:1',
      endpoint: { port: 50051, protocol: 'grpc' },
      provides: [],
      requires: [
        {
          capabilityId: 'physics.simulation',
          versionConstraint,
          scope: 'world',
          multiplicity: '1',
          dependencyMode: 'required',
        },
      ],
    },
  };
}

async function apiServerAdmits(object: ModuleManifest): Promise<boolean> {
  // JSON is YAML: the strings reach the API server exactly as written.
  const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], {
    input: JSON.stringify(object),
  });
  if (result.code !== 0 && !/Invalid value/.test(result.stderr)) throw new Error(result.stderr);
  return result.code === 0;
}

const modelAdmits = (object: ModuleManifest) => validateManifest(object).length === 0;

describe('the API server and the capability model', () => {
  it.each([
    ['^1.2.0 ||'],
    ['||'],
    ['1.x.5'],
    ['x.1'],
    ['^9007199254740991.0.0'],
    ['^1.x+build'],
    ['>=1.x+build.123 <2.x.x+meta-data'],
    ['1.x.x-alpha+build'],
    ['^1.2.3 || >=2.0.0 <3.0.0-0'],
    ['<\t2.0.0'],
  ])('give range %j the same verdict', async (range) => {
    const object = manifest('1.0.0', range);
    expect([range, await apiServerAdmits(object)]).toEqual([range, modelAdmits(object)]);
  });

  it.each([
    ['90071992547409910.0.0'],
    ['999999999999999.0.0'],
    ['v1.2.3'],
    ['1.2.3-99999999999999999999'],
    ['1.2.3-rc.1+b.7'],
  ])('give version %j the same verdict', async (version) => {
    const object = manifest(version, '*');
    expect([version, await apiServerAdmits(object)]).toEqual([version, modelAdmits(object)]);
  });
});
