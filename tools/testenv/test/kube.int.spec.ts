import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kubectl, kubectlOk } from '../lib/kubectl.cjs';
import { saKubeconfig } from '../lib/index.cjs';

const repo = path.join(__dirname, '..', '..', '..');
const namespace = `smoke-${process.pid}`;

beforeAll(async () => {
  await kubectlOk(['apply', '--server-side', '-f', path.join(repo, 'deploy', 'crds')]);
  const crds = ['modulemanifests', 'gamedefinitions', 'worldinstances', 'capabilitybindings'].map(
    (p) => `crd/${p}.anvil.dev`,
  );
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...crds]);
  await kubectlOk(['create', 'namespace', namespace]);
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

const manifest = (versionConstraint: string, extra = '') => `
apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: bad-${Math.random().toString(36).slice(2, 8)} }
spec:
  module: consumer
  version: 1.0.0
  image: example/consumer:1.0.0
  endpoint: { port: 50051, protocol: grpc }
  requires:
    - { capabilityId: physics.simulation, versionConstraint: '${versionConstraint}', scope: world }
${extra}`;

describe('the real kube-apiserver', () => {
  it('serves the four anvil.dev kinds with their short names', async () => {
    const resources = await kubectlOk(['api-resources', '--api-group=anvil.dev', '-o', 'name']);
    expect(resources.trim().split('\n').sort()).toEqual([
      'capabilitybindings.anvil.dev',
      'gamedefinitions.anvil.dev',
      'modulemanifests.anvil.dev',
      'worldinstances.anvil.dev',
    ]);
  });

  it('accepts the example objects and reads them back', async () => {
    await kubectlOk(['apply', '-n', namespace, '-f', path.join(repo, 'deploy', 'examples')]);
    const manifests = JSON.parse(await kubectlOk(['get', 'mm', '-n', namespace, '-o', 'json']));
    const game = JSON.parse(
      await kubectlOk(['get', 'games', 'arena', '-n', namespace, '-o', 'json']),
    );
    const arenaModules = game.spec.modules.map((m: { name: string }) => m.name);
    expect(arenaModules).toEqual([
      'interaction-engine',
      'physics-rapier',
      'physics-legacy',
      'analytics-kafka',
    ]);
    // The folder holds other games' modules too: the arena game's, every published version.
    expect(
      manifests.items
        .map((m: { spec: { module: string } }) => m.spec.module)
        .filter((module: string) => arenaModules.includes(module))
        .sort(),
    ).toEqual([
      'analytics-kafka',
      'interaction-engine',
      'physics-legacy',
      'physics-rapier',
      'physics-rapier',
    ]);
    const rapier = JSON.parse(
      await kubectlOk(['get', 'mm', 'physics-rapier-1.3.0', '-n', namespace, '-o', 'json']),
    );
    expect(rapier.spec.provides).toEqual([
      { capabilityId: 'physics.simulation', version: '1.4.0', scope: 'world' },
      { capabilityId: 'state.checkpoint', version: '1.1.0', scope: 'world-shard' },
    ]);
    expect(rapier.spec.requires ?? []).toEqual([]);
    const world = JSON.parse(
      await kubectlOk(['get', 'worlds', 'arena-eu-1', '-n', namespace, '-o', 'json']),
    );
    expect(world.spec).toEqual({
      gameRef: 'arena',
      region: 'eu-west',
      shards: 2,
      limits: { maxPlayers: 64, tickRateHz: 30 },
    });
    const table = await kubectlOk(['get', 'worldinstances', '-n', namespace]);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+GAME\s+PHASE\s+BINDINGS\s+REPLICA\s+AGE$/);
    const defaults = JSON.parse(
      await kubectlOk(['get', 'mm', 'interaction-engine-1.0.0', '-n', namespace, '-o', 'json']),
    );
    expect(defaults.spec.requires[0]).toMatchObject({
      multiplicity: '1',
      dependencyMode: 'required',
    });
  });

  it.each([
    [
      'an invalid SemVer range (CEL)',
      manifest('^^1'),
      'spec.requires[0].versionConstraint',
      'must be a SemVer range',
    ],
    [
      'an invalid version (CEL isSemver)',
      manifest('^1.0.0').replace('version: 1.0.0', 'version: one'),
      'spec.version',
      'must be a SemVer 2.0 version',
    ],
    [
      'a duplicate capability id (CEL)',
      manifest(
        '^1.0.0',
        "    - { capabilityId: physics.simulation, versionConstraint: '^2.0.0', scope: world }\n",
      ),
      'spec.requires',
      'each capabilityId may be required only once',
    ],
    [
      'an unknown scope (schema)',
      manifest('^1.0.0').replace('scope: world }', 'scope: galaxy }'),
      'spec.requires[0].scope',
      'Unsupported value: "galaxy"',
    ],
    [
      'zero shards (schema)',
      'apiVersion: anvil.dev/v1alpha1\nkind: WorldInstance\nmetadata: { name: w0 }\nspec: { gameRef: arena, region: eu, shards: 0 }\n',
      'spec.shards',
      'should be greater than or equal to 1',
    ],
  ])('refuses %s, naming the field', async (_case, yaml, field, message) => {
    const result = await kubectl(['create', '-n', namespace, '-f', '-'], { input: yaml });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(field);
    expect(result.stderr).toContain(message);
  });

  it('enforces RBAC: a service account with no rights is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-sa-'));
    const { kubeconfig } = await saKubeconfig(namespace, 'nobody', path.join(dir, 'kubeconfig'));
    const denied = await kubectl(['get', 'worldinstances', '-n', namespace], { kubeconfig });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(`system:serviceaccount:${namespace}:nobody`);
    expect(denied.stderr).toMatch(/forbidden/i);
    const canI = await kubectl(
      ['auth', 'can-i', 'create', 'capabilitybindings.anvil.dev', '-n', namespace],
      { kubeconfig },
    );
    expect(canI.stdout.trim()).toBe('no');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
