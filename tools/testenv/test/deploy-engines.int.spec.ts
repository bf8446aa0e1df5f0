// The engines' workloads of each overlay applied for real (not a dry run) to the test
// environment's kube-apiserver, in throwaway namespaces, and read back from it: each engine module
// is a StatefulSet whose serviceName is a headless Service selecting its pods, each replica is
// named after its pod (REPLICA_ID) and advertises its pod's stable DNS name (ADVERTISE_ADDRESS,
// the address world leases record, docs/decisions.md "World ownership"), each StatefulSet has a
// PodDisruptionBudget that selects exactly its pods, and every data-plane workload runs as a
// ServiceAccount of its own with no token and no Role (SubjectAccessReviews say so). No kubelet
// or StatefulSet controller runs here, so no pod starts: the objects are what is checked.
import * as path from 'node:path';
import { kubectl, kubectlOk } from '../lib/kubectl.cjs';

const repo = path.join(__dirname, '..', '..', '..');
const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 6)}`;

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    uid?: string;
  };
  [key: string]: any;
};
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: any[] };

const ENGINES = ['interaction-engine', 'physics-rapier', 'tag-game'];
/** Every workload in namespace anvil, each with a ServiceAccount of its own. */
const DATA_PLANE = ['analytics-kafka', 'gateway', ...ENGINES];
/** The physics engine's default WORLD_LEASE_TTL_MS (README, "Configuration"). */
const WORLD_LEASE_TTL_MS = 1_500;
/** Every app's default SHUTDOWN_TIMEOUT_MS (libs/runtime). */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** kubectl's -o json of several objects: one indented object after another (or one List). */
function parseObjects(out: string): Obj[] {
  // only between two objects does a line start with `{` right after a line that is just `}`
  const all = JSON.parse(`[${out.trim().replace(/^}\n{/gm, '},\n{')}]`) as Obj[];
  return all.flatMap((o) => (o.kind === 'List' ? (o.items as Obj[]) : [o]));
}

/** YAML (one or more documents) as objects, read by kubectl itself (client side, nothing sent). */
async function parseYaml(yaml: string): Promise<Obj[]> {
  return parseObjects(
    await kubectlOk(['create', '--dry-run=client', '-o', 'json', '-f', '-'], { input: yaml }),
  );
}

/** Does a label selector select these labels (matchLabels and the set-based expressions)? */
function selects(selector: Selector | Record<string, string>, labels: Record<string, string>) {
  const s: Selector =
    'matchLabels' in selector || 'matchExpressions' in selector
      ? (selector as Selector)
      : { matchLabels: selector as Record<string, string> };
  const byLabels = Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (s.matchExpressions ?? []).every((e) => {
    const has = e.key in labels;
    if (e.operator === 'In') return has && e.values.includes(labels[e.key]);
    if (e.operator === 'NotIn') return !has || !e.values.includes(labels[e.key]);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    throw new Error(`unknown operator ${e.operator}`);
  });
  const empty = !Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length;
  return !empty && byLabels && byExpressions;
}

/** A container's env var value as the kubelet gives it: $(VAR) of an earlier variable expanded. */
function expand(env: any[], name: string, fields: Record<string, string>): string {
  const values: Record<string, string> = {};
  for (const e of env) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    const raw = field !== undefined ? fields[field] : e.value;
    if (raw === undefined) continue;
    values[e.name] =
      field !== undefined
        ? raw
        : raw.replace(/\$\((\w+)\)/g, (m: string, v: string) => values[v] ?? m);
    if (e.name === name) return values[e.name];
  }
  throw new Error(`no env ${name}`);
}

describe.each(['dev', 'production'])('deploy/overlays/%s, applied', (overlay) => {
  const ns: Record<string, string> = {
    anvil: `engines-${overlay}-${suffix}`,
    'anvil-system': `engines-${overlay}-${suffix}-system`,
  };
  const anvil = ns.anvil;
  /** Cluster-scoped RBAC gets a name of its own here, so the real one is not touched. */
  const own = (name: string) => `${name}-${overlay}-${suffix}`;
  const server: Record<string, Obj[]> = {};
  let clusterRoleBindings: Obj[] = [];

  const get = (kind: string, name: string) => {
    const found = server[kind].find((o) => o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in namespace ${anvil}`);
    return found;
  };
  const podOf = (sts: Obj) => sts.spec.template.spec;
  const engineContainer = (sts: Obj) => podOf(sts).containers[0];
  const envOf = (sts: Obj) => engineContainer(sts).env as any[];
  const envVar = (sts: Obj, name: string) => envOf(sts).find((e) => e.name === name);
  const grpcPort = (sts: Obj) =>
    engineContainer(sts).ports.find((p: any) => p.name === 'grpc').containerPort as number;

  beforeAll(async () => {
    const rendered = await parseYaml(
      await kubectlOk(['kustomize', path.join(repo, 'deploy', 'overlays', overlay)]),
    );
    const objects = rendered
      // the CRDs are the shared ones (deploy.int.spec.ts applies them); no custom resources here
      .filter((o) => o.kind !== 'CustomResourceDefinition')
      .map((o) => {
        const copy = structuredClone(o);
        if (copy.kind === 'Namespace') copy.metadata.name = ns[copy.metadata.name];
        if (copy.metadata.namespace) copy.metadata.namespace = ns[copy.metadata.namespace];
        if (copy.kind === 'ClusterRole' || copy.kind === 'ClusterRoleBinding')
          copy.metadata.name = own(copy.metadata.name);
        if (copy.roleRef?.kind === 'ClusterRole') copy.roleRef.name = own(copy.roleRef.name);
        for (const subject of copy.subjects ?? [])
          if (subject.namespace) subject.namespace = ns[subject.namespace];
        return copy;
      });
    // Namespaces first, then everything else, for real.
    const apply = (items: Obj[]) =>
      kubectlOk(
        ['apply', '--server-side', '--field-manager=deploy-engines-test', '-o', 'name', '-f', '-'],
        { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) },
      );
    await apply(objects.filter((o) => o.kind === 'Namespace'));
    await apply(objects.filter((o) => o.kind !== 'Namespace'));
    // A ServiceAccount nobody bound anything to: what any ServiceAccount may do anyway.
    await kubectlOk(['create', 'serviceaccount', 'baseline', '-n', anvil]);
    for (const kind of [
      'statefulsets',
      'deployments',
      'services',
      'poddisruptionbudgets',
      'serviceaccounts',
      'rolebindings',
    ]) {
      server[kind] = JSON.parse(await kubectlOk(['get', kind, '-n', anvil, '-o', 'json'])).items;
    }
    clusterRoleBindings = JSON.parse(
      await kubectlOk(['get', 'clusterrolebindings', '-o', 'json']),
    ).items;
  });

  afterAll(async () => {
    for (const name of Object.values(ns))
      await kubectl(['delete', 'namespace', name, '--wait=false']);
    await kubectl([
      'delete',
      'clusterrolebinding,clusterrole',
      own('anvil-resolver-controller'),
      '--ignore-not-found',
    ]);
  });

  it('runs each engine module as a StatefulSet whose serviceName is a headless Service selecting its pods', () => {
    expect(server.statefulsets.map((s) => s.metadata.name).sort()).toEqual(ENGINES);
    for (const name of ENGINES) {
      const sts = get('statefulsets', name);
      expect(sts.metadata.uid).toBeTruthy();
      const labels = sts.spec.template.metadata.labels;
      expect(selects(sts.spec.selector, labels)).toBe(true);
      // replicas are peers: leases, not ordinals, decide who owns what
      expect(sts.spec.podManagementPolicy).toBe('Parallel');

      const headless = get('services', sts.spec.serviceName);
      expect(headless.metadata.name).not.toBe(name);
      expect(headless.spec.clusterIP).toBe('None');
      // a replica owns worlds by lease, not by readiness: its name resolves while it lives
      expect(headless.spec.publishNotReadyAddresses).toBe(true);
      expect(selects(headless.spec.selector, labels)).toBe(true);
      expect(headless.spec.ports.map((p: any) => p.port)).toEqual([grpcPort(sts)]);

      // the entry point the bindings name (the configured address): a real cluster IP, ready pods
      const entry = get('services', name);
      expect(entry.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(entry.spec.publishNotReadyAddresses ?? false).toBe(false);
      expect(selects(entry.spec.selector, labels)).toBe(true);
      expect(entry.spec.ports.map((p: any) => p.port)).toEqual([grpcPort(sts)]);
    }
  });

  it("names each replica after its pod and advertises the pod's stable DNS name under the headless Service", () => {
    for (const name of ENGINES) {
      const sts = get('statefulsets', name);
      expect(envVar(sts, 'REPLICA_ID').valueFrom).toEqual({
        fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' },
      });
      // dependent expansion: $(VAR) only sees variables defined before it
      const order = envOf(sts).map((e) => e.name);
      const advertise = envVar(sts, 'ADVERTISE_ADDRESS').value;
      expect(advertise).toBe(
        `$(POD_NAME).${sts.spec.serviceName}.$(POD_NAMESPACE).svc.cluster.local:${grpcPort(sts)}`,
      );
      expect(envVar(sts, 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
      expect(envVar(sts, 'POD_NAMESPACE').valueFrom.fieldRef.fieldPath).toBe('metadata.namespace');
      for (const dependency of ['POD_NAME', 'POD_NAMESPACE'])
        expect(order.indexOf(dependency)).toBeLessThan(order.indexOf('ADVERTISE_ADDRESS'));
      expect(envVar(sts, 'GRPC_PORT').value).toBe(String(grpcPort(sts)));

      // what each pod gets: <sts>-<ordinal>.<headless>.<namespace>.svc.cluster.local:<port>
      for (let ordinal = 0; ordinal < sts.spec.replicas; ordinal++) {
        const pod = `${name}-${ordinal}`;
        const fields = { 'metadata.name': pod, 'metadata.namespace': anvil };
        expect(expand(envOf(sts), 'REPLICA_ID', fields)).toBe(pod);
        const address = expand(envOf(sts), 'ADVERTISE_ADDRESS', fields);
        expect(address).toBe(
          `${pod}.${sts.spec.serviceName}.${anvil}.svc.cluster.local:${grpcPort(sts)}`,
        );
        const host = address.split(':')[0];
        expect(host.length).toBeLessThanOrEqual(253);
        for (const label of host.split('.'))
          expect(label).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      }

      // the lease store: the physics engine's DATABASE_URL, from the same Secret key
      expect(envVar(sts, 'DATABASE_URL').valueFrom).toEqual(
        envVar(get('statefulsets', 'physics-rapier'), 'DATABASE_URL').valueFrom,
      );
      // (dev generates the Secret, with a hash suffix that kustomize writes into the reference)
      expect(envVar(sts, 'DATABASE_URL').valueFrom.secretKeyRef).toMatchObject({
        name: expect.stringMatching(/^anvil-secrets(-[a-z0-9]+)?$/),
        key: 'DATABASE_URL',
      });
    }
  });

  it('stops a replica quickly: a short preStop, then SIGTERM hands its worlds over within the grace period', () => {
    for (const name of ENGINES) {
      const sts = get('statefulsets', name);
      const preStopMs = engineContainer(sts).lifecycle.preStop.sleep.seconds * 1000;
      const shutdownMs = Number(envVar(sts, 'SHUTDOWN_TIMEOUT_MS')?.value ?? SHUTDOWN_TIMEOUT_MS);
      // graceful hand-over is no slower than a crash (whose worlds wait one lease TTL)
      expect(preStopMs).toBeLessThan(WORLD_LEASE_TTL_MS);
      // and the app's own shutdown timeout ends it before the kubelet kills it
      expect(podOf(sts).terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        preStopMs + shutdownMs,
      );
    }
  });

  it('puts each StatefulSet under a PodDisruptionBudget of maxUnavailable 1 that selects exactly its pods', () => {
    const workloads = [...server.statefulsets, ...server.deployments];
    for (const name of ENGINES) {
      const sts = get('statefulsets', name);
      const labels = sts.spec.template.metadata.labels;
      const budgets = server.poddisruptionbudgets.filter((b) => selects(b.spec.selector, labels));
      expect(budgets.map((b) => b.metadata.name)).toEqual([name]);
      expect(budgets[0].spec.maxUnavailable).toBe(1);
      expect(budgets[0].spec.minAvailable).toBeUndefined();
      // no other workload's pods
      const others = workloads.filter(
        (w) =>
          w.metadata.name !== name &&
          selects(budgets[0].spec.selector, w.spec.template.metadata.labels),
      );
      expect(others.map((w) => w.metadata.name)).toEqual([]);
    }
  });

  it('runs every data-plane workload as a ServiceAccount of its own, which mounts no token', () => {
    const workloads = [...server.statefulsets, ...server.deployments];
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual(DATA_PLANE);
    const accounts = workloads.map((w) => podOf(w).serviceAccountName);
    expect(new Set(accounts).size).toBe(workloads.length);
    for (const w of workloads) {
      const pod = podOf(w);
      expect(pod.serviceAccountName).toBe(w.metadata.name);
      expect(pod.automountServiceAccountToken).toBe(false);
      const account = get('serviceaccounts', pod.serviceAccountName);
      expect(account.automountServiceAccountToken).toBe(false);
    }
  });

  it('binds no Role or ClusterRole to those ServiceAccounts', () => {
    const names = (subjects: any[] = []) =>
      subjects.map((s) => `${s.kind}:${s.namespace ?? ''}:${s.name}`);
    const bound = [...server.rolebindings, ...clusterRoleBindings].flatMap((b) =>
      names(b.subjects),
    );
    for (const name of DATA_PLANE) expect(bound).not.toContain(`ServiceAccount:${anvil}:${name}`);
    // (the group of all ServiceAccounts has the cluster's defaults, the same for every account:
    // the SelfSubjectRulesReview below compares with one bound to nothing)
    expect(bound).not.toContain(`Group::system:serviceaccounts:${anvil}`);
  });

  it('lets none of them do anything a ServiceAccount bound to nothing could not (SelfSubjectRulesReview)', async () => {
    const rules = async (account: string) => {
      const review = await kubectlOk(
        [
          'create',
          '--validate=false', // kubectl's schema check would need CRDs the account may not list
          '-o',
          'json',
          '-f',
          '-',
          `--as=system:serviceaccount:${anvil}:${account}`,
        ],
        {
          input: JSON.stringify({
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectRulesReview',
            spec: { namespace: anvil },
          }),
        },
      );
      const status = JSON.parse(review).status;
      expect(status.incomplete).toBe(false);
      return status.resourceRules.map((r: any) => JSON.stringify(r)).sort();
    };
    const baseline = await rules('baseline');
    // only the self-reviews every authenticated user has
    expect(baseline.length).toBeGreaterThan(0);
    expect(baseline.every((r: string) => r.includes('selfsubject'))).toBe(true);
    for (const name of DATA_PLANE) expect(await rules(name)).toEqual(baseline);
  });

  it('answers no to their SubjectAccessReviews on the API they do not use (and yes to the controller, bound as before)', async () => {
    const checks = [
      { verb: 'list', resource: 'pods' },
      { verb: 'get', resource: 'secrets' },
      { verb: 'list', resource: 'configmaps' },
      { verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices' },
      { verb: 'create', group: 'coordination.k8s.io', resource: 'leases' },
      { verb: 'patch', group: 'apps', resource: 'statefulsets' },
      { verb: 'watch', group: 'anvil.dev', resource: 'worldinstances' },
      { verb: 'list', group: 'anvil.dev', resource: 'capabilitybindings' },
      { verb: 'create', resource: 'events' },
      { verb: '*', group: '*', resource: '*' },
    ];
    const serviceAccount = (namespace: string, name: string) => ({
      user: `system:serviceaccount:${namespace}:${name}`,
      // what the account's own token carries
      groups: [
        'system:serviceaccounts',
        `system:serviceaccounts:${namespace}`,
        'system:authenticated',
      ],
    });
    const review = (who: ReturnType<typeof serviceAccount>, check: (typeof checks)[number]) => ({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { ...who, resourceAttributes: { namespace: anvil, ...check } },
    });
    const controller = serviceAccount(ns['anvil-system'], 'resolver-controller');
    const asked = [
      ...DATA_PLANE.flatMap((name) =>
        checks.map((check) => ({ name, check, body: review(serviceAccount(anvil, name), check) })),
      ),
      // the positive control: the same reviews do say yes when a binding allows it
      ...[
        { verb: 'watch', group: 'anvil.dev', resource: 'worldinstances', allowed: true },
        { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', allowed: true },
        // the controller creates no StatefulSets, and may not
        { verb: 'create', group: 'apps', resource: 'statefulsets', allowed: false },
        { verb: 'list', resource: 'pods', allowed: false },
      ].map(({ allowed, ...check }) => ({
        name: 'resolver-controller',
        check,
        allowed,
        body: review(controller, check),
      })),
    ];
    const answers = parseObjects(
      await kubectlOk(['create', '-o', 'json', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: asked.map((a) => a.body) }),
      }),
    ).map((r) => r.status.allowed === true);
    expect(answers).toHaveLength(asked.length);
    const wrong = asked
      .map((a, i) => ({ ...a, answer: answers[i] }))
      .filter((a) => a.answer !== ('allowed' in a ? a.allowed : false))
      .map((a) => `${a.name}: ${a.check.verb} ${a.check.resource} -> ${a.answer}`);
    expect(wrong).toEqual([]);
  });

  it('kubectl auth can-i agrees: no engine may list pods', async () => {
    for (const name of ENGINES) {
      const result = await kubectl([
        'auth',
        'can-i',
        'list',
        'pods',
        '-n',
        anvil,
        `--as=system:serviceaccount:${anvil}:${name}`,
      ]);
      expect({ code: result.code, answer: result.stdout.trim() }).toEqual({
        code: 1,
        answer: 'no',
      });
    }
  });
});
