// deploy/ against the real kube-apiserver: every kustomization renders, and the API server
// accepts every object it renders (server-side dry run); the overlays run the apps hardened,
// each module (gRPC engines and the HTTP analytics sink) behind the Service its ModuleManifest's
// endpoint names; and each app's Dockerfile builds what the workloads run. What the engines'
// StatefulSets, headless Services, budgets and ServiceAccounts amount to once applied for real:
// deploy-engines.int.spec.ts.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kubectl, kubectlOk } from '../lib/kubectl.cjs';

const repo = path.join(__dirname, '..', '..', '..');
const deployDir = path.join(repo, 'deploy');
const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
// The manifests' namespaces become throwaway ones, so the dry runs neither need nor touch the
// real anvil and anvil-system (which other tests use).
const namespaces: Record<string, string> = {
  anvil: `deploy-${suffix}`,
  'anvil-system': `deploy-${suffix}-system`,
};

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: any;
};

const APPS = [
  'analytics',
  'gateway',
  'interaction-engine',
  'physics-engine',
  'resolver-controller',
  'tag-game',
];
const LAST_APPLIED_WARNING =
  'Warning: failed to migrate kubectl.kubernetes.io/last-applied-configuration for Server-Side Apply';
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Every folder under deploy/ that is a kustomization, relative to the repository. */
function kustomizations(dir = deployDir): string[] {
  const here = KUSTOMIZATION_FILES.some((f) => fs.existsSync(path.join(dir, f)))
    ? [path.relative(repo, dir)]
    : [];
  const below = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => kustomizations(path.join(dir, e.name)));
  return [...here, ...below].sort();
}

/** YAML (one or more documents) as objects, read by kubectl itself (client side, nothing sent). */
async function parseYaml(yaml: string): Promise<Obj[]> {
  const out = await kubectlOk(['create', '--dry-run=client', '-o', 'json', '-f', '-'], {
    input: yaml,
  });
  // kubectl prints one indented JSON object after another: only between two of them does a
  // line start with `{` right after a line that is just `}`.
  return JSON.parse(`[${out.trim().replace(/^}\n{/gm, '},\n{')}]`) as Obj[];
}

/** The objects in the throwaway namespaces (Namespaces renamed, references followed). */
function remapped(objects: Obj[]): Obj[] {
  const ns = (name: string) => namespaces[name] ?? name;
  return structuredClone(objects).map((o) => {
    if (o.kind === 'Namespace') o.metadata.name = ns(o.metadata.name);
    if (o.metadata.namespace) o.metadata.namespace = ns(o.metadata.namespace);
    for (const subject of o.subjects ?? [])
      if (subject.namespace) subject.namespace = ns(subject.namespace);
    return o;
  });
}

/** Server-side apply as a dry run: what the API server says to these objects. */
function dryRun(objects: Obj[]) {
  const list = { apiVersion: 'v1', kind: 'List', items: remapped(objects) };
  return kubectl(
    [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--dry-run=server',
      '--validate=strict',
      '-o',
      'json',
      '-f',
      '-',
    ],
    {
      input: JSON.stringify(list),
    },
  );
}

const rendered = new Map<string, Obj[]>();
let moduleManifests: Obj[] = [];

beforeAll(async () => {
  // Real CRDs, as the other kube tests apply them: kubectl reads deploy/examples with them.
  await kubectlOk(['apply', '--server-side', '-f', path.join(deployDir, 'crds')]);
  const crds = ['modulemanifests', 'gamedefinitions', 'worldinstances', 'capabilitybindings'].map(
    (p) => `crd/${p}.anvil.dev`,
  );
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...crds]);
  for (const name of Object.values(namespaces)) await kubectlOk(['create', 'namespace', name]);
  for (const dir of kustomizations())
    rendered.set(dir, await parseYaml(await kubectlOk(['kustomize', path.join(repo, dir)])));
  const examples = fs
    .readdirSync(path.join(deployDir, 'examples'))
    .map((f) => fs.readFileSync(path.join(deployDir, 'examples', f), 'utf8'));
  moduleManifests = (await parseYaml(examples.join('\n---\n'))).filter(
    (o) => o.kind === 'ModuleManifest',
  );
});

afterAll(async () => {
  for (const name of Object.values(namespaces))
    await kubectl(['delete', 'namespace', name, '--wait=false']);
});

describe('every kustomization under deploy/', () => {
  it('is found: the CRDs, RBAC, the controller, the base and both overlays', () => {
    expect(kustomizations()).toEqual([
      'deploy/base',
      'deploy/controller',
      'deploy/crds',
      'deploy/overlays/dev',
      'deploy/overlays/production',
      'deploy/rbac',
    ]);
  });

  it.each(kustomizations())(
    '%s: the API server accepts every object it renders (server-side dry run)',
    async (dir) => {
      const objects = rendered.get(dir)!;
      expect(objects.length).toBeGreaterThan(0);
      const result = await dryRun(objects);
      // Objects other tests created with client-side apply (the RBAC) make kubectl warn that it
      // cannot take over their last-applied annotation in a dry run: harmless, anything else is not.
      const stderr = result.stderr
        .split('\n')
        .filter((line: string) => line && !line.startsWith(LAST_APPLIED_WARNING))
        .join('\n');
      expect({ code: result.code, stderr }).toEqual({ code: 0, stderr: '' });
      const accepted = JSON.parse(result.stdout);
      const items: Obj[] = accepted.kind === 'List' ? accepted.items : [accepted];
      expect(items.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
        remapped(objects).map((o) => `${o.kind}/${o.metadata.name}`),
      );
    },
  );

  it('keeps `kubectl apply -f deploy/crds` working: only the CRDs are *.yaml there', () => {
    const files = fs.readdirSync(path.join(deployDir, 'crds'));
    expect(files.filter((f) => /\.ya?ml$/.test(f)).sort()).toEqual([
      'capabilitybindings.yaml',
      'gamedefinitions.yaml',
      'modulemanifests.yaml',
      'worldinstances.yaml',
    ]);
  });
});

describe('the dry run can fail', () => {
  const gateway = () =>
    structuredClone(
      rendered
        .get('deploy/overlays/dev')!
        .find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway')!,
    );

  it('refuses a misspelt field (strict validation)', async () => {
    const broken = gateway();
    const container = broken.spec.template.spec.containers[0];
    container.securityContext = { readOnlyRootFileSystem: true };
    const result = await dryRun([broken]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /unknown field "(spec\.template\.spec\.containers\[0\]\.securityContext\.)?readOnlyRootFileSystem"/,
    );
  });

  it('refuses an invalid value, naming the field', async () => {
    const broken = gateway();
    broken.spec.template.spec.containers[0].livenessProbe.grpc = { port: 50051 };
    const result = await dryRun([broken]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.template.spec.containers[0].livenessProbe');
    expect(result.stderr).toContain('may not specify more than 1 handler type');
  });
});

describe.each(['dev', 'production'])('deploy/overlays/%s', (overlay) => {
  const objects = () => rendered.get(`deploy/overlays/${overlay}`)!;
  const of = (kind: string) => objects().filter((o) => o.kind === kind);
  const deployments = () => of('Deployment');
  const statefulSets = () => of('StatefulSet');
  /** Every workload: the Deployments and the engines' StatefulSets. */
  const workloads = () => [...deployments(), ...statefulSets()];
  /** The Deployment or StatefulSet of that name. */
  const workload = (name: string) => {
    const found = workloads().find((o) => o.metadata.name === name);
    if (!found) throw new Error(`no workload ${name}`);
    return found;
  };
  const find = (kind: string, name: string, namespace?: string) =>
    objects().find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (namespace === undefined || o.metadata.namespace === namespace),
    );
  const podOf = (d: Obj) => d.spec.template.spec;

  /** The environment a container sees from literal values and ConfigMaps in the render. */
  function envOf(d: Obj): Record<string, string> {
    const container = podOf(d).containers[0];
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      Object.assign(
        env,
        find('ConfigMap', from.configMapRef?.name, d.metadata.namespace)?.data ?? {},
      );
    }
    for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    return env;
  }

  /** The Secret and ConfigMap keys a workload reads: kind, name, namespace, key (or all), optional. */
  function references(d: Obj) {
    const container = podOf(d).containers[0];
    const refs: {
      kind: string;
      name: string;
      namespace: string;
      key?: string;
      optional: boolean;
    }[] = [];
    const namespace = d.metadata.namespace!;
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef)
        refs.push({
          kind: 'ConfigMap',
          name: from.configMapRef.name,
          namespace,
          optional: !!from.configMapRef.optional,
        });
      if (from.secretRef)
        refs.push({
          kind: 'Secret',
          name: from.secretRef.name,
          namespace,
          optional: !!from.secretRef.optional,
        });
    }
    for (const e of container.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
      if (ref)
        refs.push({
          kind: e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap',
          name: ref.name,
          namespace,
          key: ref.key,
          optional: !!ref.optional,
        });
    }
    return refs;
  }

  it('runs the controller, the gateway and analytics as Deployments, each engine module as a StatefulSet', () => {
    const names = (objects: Obj[]) =>
      objects.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).sort();
    expect(names(deployments())).toEqual([
      'anvil-system/resolver-controller',
      'anvil/analytics-kafka',
      'anvil/gateway',
    ]);
    // engines own worlds (by lease): stable pod names and addresses
    expect(names(statefulSets())).toEqual([
      'anvil/interaction-engine',
      'anvil/physics-rapier',
      'anvil/tag-game',
    ]);
    for (const d of workloads()) {
      expect(find('Service', d.metadata.name, d.metadata.namespace)).toBeDefined();
      expect(d.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'anvil' });
    }
  });

  it('hardens every container: non-root, read-only root, no capabilities, seccomp, probes, requests and a memory limit', () => {
    const problems: string[] = [];
    for (const d of workloads()) {
      const pod = podOf(d);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const at = `${d.metadata.name}/${c.name}`;
        const sc = c.securityContext ?? {};
        const either = (field: string) => sc[field] ?? pod.securityContext?.[field];
        if (either('runAsNonRoot') !== true) problems.push(`${at}: runAsNonRoot`);
        if (!(either('runAsUser') > 0)) problems.push(`${at}: a numeric non-root runAsUser`);
        if (either('seccompProfile')?.type !== 'RuntimeDefault')
          problems.push(`${at}: seccompProfile RuntimeDefault`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem`);
        if (sc.allowPrivilegeEscalation !== false)
          problems.push(`${at}: allowPrivilegeEscalation false`);
        if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${at}: drop ALL capabilities`);
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
          if (!c[probe]) problems.push(`${at}: ${probe}`);
        if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
          problems.push(`${at}: cpu and memory requests`);
        if (!c.resources?.limits?.memory) problems.push(`${at}: a memory limit`);
        const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
        if (!tmp || !pod.volumes?.find((v: any) => v.name === tmp.name)?.emptyDir)
          problems.push(`${at}: an emptyDir at /tmp`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("puts each module behind a Service named after the module, on its ModuleManifest's endpoint port", () => {
    const modules = workloads().filter((d) => d.metadata.labels?.['anvil.dev/module']);
    expect(modules.map((d) => d.metadata.labels!['anvil.dev/module']).sort()).toEqual([
      'analytics-kafka',
      'interaction-engine',
      'physics-rapier',
      'tag-game',
    ]);
    for (const d of modules) {
      const module = d.metadata.labels!['anvil.dev/module'];
      const manifests = moduleManifests.filter((m) => m.spec.module === module);
      expect(manifests.length).toBeGreaterThan(0);
      const endpoints = [
        ...new Set(manifests.map((m) => `${m.spec.endpoint.protocol}:${m.spec.endpoint.port}`)),
      ];
      expect(endpoints).toHaveLength(1);
      const { protocol, port } = manifests[0].spec.endpoint;

      expect(d.metadata.name).toBe(module);
      const service = find('Service', module, d.metadata.namespace)!;
      expect(service.metadata.labels).toMatchObject({
        'anvil.dev/module': module,
        'app.kubernetes.io/part-of': 'anvil',
      });
      expect(service.spec.ports.map((p: any) => p.port)).toEqual([port]);
      expect(service.spec.ports[0].appProtocol).toBe(protocol);
      expect(d.spec.template.metadata.labels).toMatchObject(service.spec.selector);

      const container = podOf(d).containers[0];
      /** The container port a Service's targetPort or a probe's port (a name or a number) means. */
      const containerPort = (ref: string | number) =>
        container.ports.find((p: any) => p.name === ref || p.containerPort === ref)?.containerPort;
      expect(containerPort(service.spec.ports[0].targetPort)).toBe(port);
      const probes = ['startupProbe', 'livenessProbe', 'readinessProbe'];
      const app = container.image
        .replace(/:[^:/]+$/, '')
        .split('/')
        .pop();
      if (protocol === 'grpc') {
        // grpc.health.v1 of the whole server
        expect(envOf(d).GRPC_PORT).toBe(String(port));
        for (const probe of probes) expect(container[probe].grpc).toEqual({ port });
      } else {
        expect(protocol).toBe('http');
        expect(envOf(d).PORT).toBe(String(port));
        const health = fs.readFileSync(
          path.join(repo, 'apps', app, 'src/health/health.controller.ts'),
          'utf8',
        );
        for (const probe of probes) {
          const { path: probePath, port: probePort } = container[probe].httpGet;
          expect(containerPort(probePort)).toBe(port);
          expect(health).toContain(`@Get('${probePath.slice(1)}')`);
        }
        expect(container.livenessProbe.httpGet.path).toBe('/healthz');
        expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      }

      const repository = (image: string) => image.replace(/:[^:/]+$/, '');
      for (const m of manifests) expect(repository(container.image)).toBe(repository(m.spec.image));
      expect(d.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': repository(container.image).split('/').pop(),
        'app.kubernetes.io/version': container.image.split(':').pop(),
      });
    }
  });

  it('wires the gateway to a game module and each game module to physics through those Services', () => {
    const providerOf = (capabilityId: string) => {
      const modules = new Set(
        moduleManifests
          .filter((m) => m.spec.provides?.some((p: any) => p.capabilityId === capabilityId))
          .map((m) => m.spec.module),
      );
      return workloads().filter((d) => modules.has(d.metadata.labels?.['anvil.dev/module']));
    };
    const address = (d: Obj) =>
      `${d.metadata.name}:${find('Service', d.metadata.name, d.metadata.namespace)!.spec.ports[0].port}`;
    const games = providerOf('game.interaction');
    expect(games.map((d) => d.metadata.name).sort()).toEqual(['interaction-engine', 'tag-game']);
    // the default for worlds whose registry row has no entry binding (docs/cluster.md)
    expect(envOf(find('Deployment', 'gateway')!).INTERACTION_ENGINE_ADDRESS).toBe(
      address(workload('interaction-engine')),
    );
    for (const game of games) {
      expect(providerOf('physics.simulation').map(address)).toContain(
        envOf(game).PHYSICS_ENGINE_ADDRESS,
      );
      // MODULE_NAME picks the world's bindings whose consumer is this module
      const env = podOf(game).containers[0].env.find((e: any) => e.name === 'MODULE_NAME');
      const label = /^metadata\.labels\['(.+)'\]$/.exec(env.valueFrom?.fieldRef?.fieldPath ?? '');
      expect(label ? game.spec.template.metadata.labels[label[1]] : env.value).toBe(
        game.metadata.labels!['anvil.dev/module'],
      );
    }
  });

  it('probes the gateway and the controller on the paths they serve', () => {
    const gateway = podOf(find('Deployment', 'gateway')!).containers[0];
    const health = fs.readFileSync(
      path.join(repo, 'apps/gateway/src/health/health.controller.ts'),
      'utf8',
    );
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const { path: probePath, port } = gateway[probe].httpGet;
      expect(health).toContain(`@Get('${probePath.slice(1)}')`);
      expect(gateway.ports.find((p: any) => p.name === port).containerPort).toBe(3000);
    }
    expect(envOf(find('Deployment', 'gateway')!).PORT).toBe('3000');
    const controller = podOf(find('Deployment', 'resolver-controller')!).containers[0];
    expect(controller.readinessProbe.httpGet.path).toBe('/readyz');
    expect(controller.livenessProbe.httpGet.path).toBe('/healthz');
  });

  it('configures Kafka for the data plane and PostgreSQL from the Secret anvil-secrets', () => {
    for (const d of workloads().filter((x) => x.metadata.namespace === 'anvil')) {
      const env = envOf(d);
      expect(env.BUS).toBe('kafka');
      expect(env.KAFKA_BROKERS).toMatch(/^[^\s:,]+:\d+(,[^\s:,]+:\d+)*$/);
    }
    // the game modules too: they will keep their world leases there (as physics does)
    for (const name of [
      'gateway',
      'physics-rapier',
      'interaction-engine',
      'tag-game',
      'resolver-controller',
      'analytics-kafka',
    ]) {
      const d = workload(name);
      expect(references(d)).toContainEqual(
        expect.objectContaining({ kind: 'Secret', key: 'DATABASE_URL' }),
      );
    }
    const gatewayKeys = references(find('Deployment', 'gateway')!)
      .filter((r) => r.kind === 'Secret')
      .map((r) => r.key);
    expect(gatewayKeys).toEqual(expect.arrayContaining(['JWT_SECRET', 'JWT_PUBLIC_KEY']));
    // the engines and their callers share the engine token
    for (const name of ['gateway', 'interaction-engine', 'tag-game', 'physics-rapier']) {
      expect(references(workload(name))).toContainEqual(
        expect.objectContaining({ kind: 'Secret', key: 'ENGINE_TOKEN', optional: false }),
      );
    }
    // the physics engine checkpoints when it has storage
    expect(Number(envOf(workload('physics-rapier')).CHECKPOINT_EVERY_TICKS)).toBeGreaterThan(0);
  });

  if (overlay === 'dev') {
    it('is self-contained: every ConfigMap and Secret key a pod reads is in the render', () => {
      const missing: string[] = [];
      for (const d of workloads()) {
        for (const ref of references(d)) {
          const source = find(ref.kind, ref.name, ref.namespace);
          const keys = Object.keys({ ...source?.data, ...source?.stringData });
          if (!source || (ref.key && !keys.includes(ref.key) && !ref.optional))
            missing.push(
              `${d.metadata.name}: ${ref.kind} ${ref.namespace}/${ref.name} ${ref.key ?? ''}`,
            );
        }
      }
      expect(missing).toEqual([]);
    });

    it('runs one replica of everything but two physics engines (worlds fail over between them)', () => {
      expect(
        Object.fromEntries(workloads().map((d) => [d.metadata.name, d.spec.replicas])),
      ).toEqual({
        'resolver-controller': 1,
        'analytics-kafka': 1,
        gateway: 1,
        'interaction-engine': 1,
        'physics-rapier': 2,
        'tag-game': 1,
      });
    });
  } else {
    it('references an existing Secret instead of carrying one', () => {
      expect(of('Secret')).toEqual([]);
      const secrets = workloads()
        .flatMap(references)
        .filter((r) => r.kind === 'Secret');
      expect(new Set(secrets.map((r) => r.name))).toEqual(new Set(['anvil-secrets']));
    });

    it('runs several gateways, controllers and analytics consumers, each under a PodDisruptionBudget', () => {
      const budgets = of('PodDisruptionBudget');
      for (const name of ['gateway', 'resolver-controller', 'analytics-kafka']) {
        const d = find('Deployment', name)!;
        expect(d.spec.replicas).toBeGreaterThan(1);
        const budget = budgets.find(
          (b) => b.metadata.namespace === d.metadata.namespace && b.metadata.name === name,
        )!;
        expect(d.spec.template.metadata.labels).toMatchObject(budget.spec.selector.matchLabels);
        expect(
          budget.spec.maxUnavailable ?? d.spec.replicas - budget.spec.minAvailable,
        ).toBeLessThan(d.spec.replicas);
      }
    });

    it('runs three physics replicas and two of each game module, peers owning worlds by lease', () => {
      expect(workload('physics-rapier').spec.replicas).toBe(3);
      expect(workload('interaction-engine').spec.replicas).toBe(2);
      expect(workload('tag-game').spec.replicas).toBe(2);
      for (const name of ['interaction-engine', 'tag-game']) {
        const env = workload(name).spec.template.spec.containers[0].env;
        expect(env).toContainEqual({ name: 'MODULE_VERSION', value: '1.0.0' });
      }
    });

    it('gives every pod more than the dev overlay does', () => {
      const dev = rendered.get('deploy/overlays/dev')!;
      const units: Record<string, number> = { Mi: 2 ** 20, Gi: 2 ** 30 };
      const bytes = (q: string) => Number(q.slice(0, -2)) * units[q.slice(-2)];
      for (const d of workloads()) {
        const other = dev.find((o) => o.kind === d.kind && o.metadata.name === d.metadata.name)!;
        const mine = podOf(d).containers[0].resources;
        const theirs = podOf(other).containers[0].resources;
        expect(bytes(mine.requests.memory)).toBeGreaterThan(bytes(theirs.requests.memory));
        expect(bytes(mine.limits.memory)).toBeGreaterThanOrEqual(bytes(theirs.limits.memory));
      }
    });
  }

  it("runs only images that an app's docker-build target builds", () => {
    const built = APPS.map((app) => {
      const target = JSON.parse(
        fs.readFileSync(path.join(repo, 'apps', app, 'package.json'), 'utf8'),
      ).nx.targets['docker-build'];
      return /-t (\S+):/.exec(target.command)![1];
    });
    for (const d of workloads())
      for (const c of podOf(d).containers) expect(built).toContain(c.image.replace(/:[^:/]+$/, ''));
  });
});

it('apps/cli/Dockerfile runs the built CLI as its entrypoint, as a non-root user', () => {
  const dockerfile = fs.readFileSync(path.join(repo, 'apps', 'cli', 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain('RUN sh tools/docker/production-tree.sh cli /prod');
  expect(dockerfile).toMatch(/^USER 1000:1000$/m);
  expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/apps/cli/dist/main.js"]');
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'apps', 'cli', 'package.json'), 'utf8'));
  expect(pkg.nx.targets['docker-build'].command).toContain('docker build -f apps/cli/Dockerfile');
});

// One Dockerfile builds every long-running app, named by its APP build argument.
describe('tools/docker/Dockerfile', () => {
  const file = path.join(repo, 'tools', 'docker', 'Dockerfile');
  /** Instructions with their continuation lines joined, comments dropped, split into stages. */
  const stages = () => {
    const lines = fs
      .readFileSync(file, 'utf8')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const out: { from: string; steps: { op: string; arg: string }[] }[] = [];
    for (const line of lines) {
      const [, op, arg] = /^(\S+)\s+(.*)$/.exec(line)!;
      if (op === 'FROM') out.push({ from: arg, steps: [] });
      else out[out.length - 1].steps.push({ op, arg });
    }
    return out;
  };
  const run = (stage: { steps: { op: string; arg: string }[] }) =>
    stage.steps
      .filter((s) => s.op === 'RUN')
      .map((s) => s.arg)
      .join('\n');

  it('has a build stage and a runtime stage, both on node:20-bookworm-slim', () => {
    expect(stages().map((s) => s.from)).toEqual([
      'node:20-bookworm-slim AS build',
      'node:20-bookworm-slim',
    ]);
  });

  it("builds the app named by APP with Nx, then lays out only the app's production tree", () => {
    const [build] = stages();
    expect(build.steps).toContainEqual({ op: 'ARG', arg: 'APP' });
    expect(run(build)).toContain('npm ci ');
    expect(run(build)).toContain('npx nx run ${APP}:build');
    expect(run(build)).toContain('sh tools/docker/production-tree.sh ${APP} /prod');
    expect(run(build)).toContain('ln -s apps/${APP}/dist/main.js /prod/main.js');
    expect(stages()[1].steps).toContainEqual({ op: 'COPY', arg: '--from=build /prod ./' });
  });

  it("runs the app's built main (exec form) as a non-root user in production mode", () => {
    const runtime = stages()[1];
    const last = (op: string) => runtime.steps.filter((s) => s.op === op).pop()?.arg;
    expect(last('USER')).toMatch(/^(1000|node)(:\d+)?$/);
    expect(runtime.steps.filter((s) => s.op === 'ENV').map((s) => s.arg)).toContain(
      'NODE_ENV=production',
    );
    expect(runtime.steps.filter((s) => s.op === 'RUN')).toEqual([]);
    expect(last('EXPOSE')).toBe('${PORT}');
    expect(JSON.parse(last('CMD')!)).toEqual(['node', 'main.js']);
  });
});

describe.each(APPS)('the %s image', (app) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'apps', app, 'package.json'), 'utf8'));

  it('is what the Nx docker-build target builds, from the repository root', () => {
    const target = pkg.nx.targets['docker-build'];
    // tagged with the app's own version
    const version = `$(node -p "require('./apps/${app}/package.json').version")`;
    expect(target.command).toMatch(
      new RegExp(
        `^docker build -f tools/docker/Dockerfile --build-arg APP=${app} --build-arg PORT=\\d+ -t `,
      ),
    );
    expect(target.command.endsWith(` -t ghcr.io/anvil-dev/${app}:${version} .`)).toBe(true);
    expect(target.options).toEqual({ cwd: '{workspaceRoot}' });
    expect(target.dependsOn).toEqual(['build']);
  });

  it('runs the main the app itself starts with', () => {
    expect(pkg.nx.name).toBe(app);
    expect(pkg.scripts.start).toBe('node dist/main.js');
    expect(fs.existsSync(path.join(repo, 'apps', app, 'src', 'main.ts'))).toBe(true);
  });
});

// What every Dockerfile's production stage runs, run for real: the gateway (the app with the most
// libraries, Prisma's migrations among them) starts from a tree with only its production
// dependencies, as it does in its image.
describe('tools/docker/production-tree.sh', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-prod-tree-'));
  const cliOut = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-prod-tree-cli-'));
  afterAll(() => {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(cliOut, { recursive: true, force: true });
  });

  it('lays out a CLI that validates manifests outside any checkout (its CRDs bundled)', () => {
    execFileSync('sh', ['tools/docker/production-tree.sh', 'cli', cliOut], {
      cwd: repo,
      stdio: 'pipe',
      timeout: 300_000,
    });
    const manifests = path.join(cliOut, 'work');
    fs.cpSync(path.join(repo, 'deploy', 'examples'), manifests, { recursive: true });
    const output = execFileSync(
      process.execPath,
      [path.join(cliOut, 'apps/cli/dist/main.js'), 'validate', '-f', manifests],
      { cwd: cliOut, encoding: 'utf8', timeout: 60_000 },
    );
    expect(output).toMatch(/^\d+ object\(s\) valid$/m);
  });

  it('lays out a tree from which the built gateway starts and migrates its storage', async () => {
    execFileSync('sh', ['tools/docker/production-tree.sh', 'gateway', out], {
      cwd: repo,
      stdio: 'pipe',
      timeout: 300_000,
    });
    const installed = fs.readdirSync(path.join(out, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['@nestjs', 'socket.io', '@prisma']));
    // (typescript is there: a peer dependency of @prisma/client)
    for (const devOnly of ['jest', 'ts-jest', 'nx', 'eslint', 'prettier', 'fast-check'])
      expect(installed).not.toContain(devOnly);
    expect(fs.existsSync(path.join(out, 'libs/storage/prisma/migrations'))).toBe(true);
    const port = 20_000 + (process.pid % 20_000);
    const child = spawn(process.execPath, ['apps/gateway/dist/main.js'], {
      cwd: out,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        JWT_SECRET: 'production-tree-test-secret',
        ENGINE_TOKEN: 'production-tree-test-engine-token',
        DATABASE_URL: 'pglite://memory',
      },
      stdio: 'ignore',
    });
    try {
      let status = 0;
      for (let i = 0; i < 150 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
      }
      expect(status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

it('.dockerignore keeps installed, built and local state out of the build context', () => {
  const patterns = fs
    .readFileSync(path.join(repo, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  for (const p of ['**/node_modules', '**/dist', '**/coverage', '.nx', '.testenv', '.anvil-data'])
    expect(patterns).toContain(p);
});
