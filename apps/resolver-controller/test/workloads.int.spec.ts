// Module workloads against the real API server and kube-controller-manager of tools/testenv:
// the controller (a child process, as its ServiceAccount with deploy/rbac) runs each module
// version the worlds bind as a Deployment and a headless Service, by server-side apply and owned
// by its ModuleManifest; a newer version the resolver prefers gets its workload, and the worlds
// stay bound to the old one until the new one is Ready (the world's Migrating condition and Events
// say so); then the bindings move and the old workload goes; deleting a manifest garbage-collects
// its workload. No kubelet runs here, so no pod
// starts: the test plays the kubelet where readiness matters, marking pods Ready through their
// status subresource.
import { ensureBuilt } from './support/build';
import {
  applyExamples,
  applyYaml,
  controllerKubeconfig,
  createNamespace,
  deleteNamespace,
  getJson,
  installCrds,
  kubectlOk,
  poll,
} from './support/cluster';
import { ControllerProcess } from './support/controller-process';
import type { Json } from './support/json';
import { condition, getBindings, getWorld, waitForPhase, worldEvents } from './support/worlds';

jest.setTimeout(240_000);

const MANAGED = 'app.kubernetes.io/managed-by=anvil-resolver,anvil.dev/workload';

/** physics-rapier 1.5.0: a newer provider the game's ^1.0.0 admits, with a higher capability. */
const PHYSICS_1_5 = `
apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata:
  name: physics-rapier-1.5.0
spec:
  module: physics-rapier
  version: 1.5.0
  image: ghcr.io/anvil-dev/physics-engine:1.5.0
  endpoint: { port: 50051, protocol: grpc }
  provides:
    - { capabilityId: physics.simulation, version: 1.5.0, scope: world }
    - { capabilityId: state.checkpoint, version: 1.1.0, scope: world-shard }
`;

/** The workload names the bindings of a namespace call for (module-version, dots as dashes). */
async function boundWorkloads(namespace: string): Promise<string[]> {
  const names = new Set<string>();
  for (const binding of await getBindings(namespace)) {
    const { provider, consumer } = binding.spec;
    for (const side of [provider, consumer])
      names.add(`${side.module}-${side.version}`.replace(/\./g, '-'));
  }
  return [...names].sort();
}

/**
 * Plays the kubelet for a workload (none runs here): once its ReplicaSet created the pods, marks
 * each Running and Ready through the status subresource, so the Deployment counts it available.
 */
async function markPodsReady(namespace: string, workload: string): Promise<void> {
  const pods = await poll(`the pods of ${workload}`, async () => {
    const items = (await getJson(['pods', '-n', namespace, '-l', `anvil.dev/workload=${workload}`]))
      .items as Json[];
    return items.length > 0 && items;
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      { type: 'Ready', status: 'True', lastTransitionTime: now },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
    ],
  };
  for (const pod of pods)
    await kubectlOk([
      'patch',
      'pod',
      pod.metadata.name,
      '-n',
      namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
}

const deployments = async (namespace: string): Promise<Json[]> =>
  (await getJson(['deployments', '-n', namespace, '-l', MANAGED])).items;
const names = (items: Json[]) => items.map((d) => d.metadata.name as string).sort();

describe('module workloads', () => {
  let namespace: string;
  let controller: ControllerProcess | undefined;

  beforeAll(async () => {
    ensureBuilt();
    await installCrds();
    namespace = await createNamespace('rc-work');
    controller = await ControllerProcess.start({
      namespace,
      kubeconfig: await controllerKubeconfig(),
      identity: 'resolver-w',
      env: { MODULE_WORKLOADS: 'true', WORKLOAD_SYNC_MS: '200' },
    });
  }, 600_000);

  afterAll(async () => {
    await controller?.stop();
    await deleteNamespace(namespace);
  });

  it('runs every bound module version as a Deployment and a headless Service owned by its manifest', async () => {
    await applyExamples(namespace);
    await waitForPhase(namespace, 'arena-eu-1', 'Ready');
    await waitForPhase(namespace, 'tag-eu-1', 'Ready');
    const expected = await boundWorkloads(namespace);
    expect(expected).toEqual(expect.arrayContaining(['physics-rapier-1-3-0']));
    await poll('the bound versions to have their Deployments', async () => {
      const found = names(await deployments(namespace));
      return JSON.stringify(found) === JSON.stringify(expected) && found;
    });
    const physics = await getJson([
      'deployment',
      'physics-rapier-1-3-0',
      '-n',
      namespace,
      '--show-managed-fields',
    ]);
    const manifest = await getJson(['modulemanifest', 'physics-rapier-1.3.0', '-n', namespace]);
    expect(physics.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'ModuleManifest',
        name: 'physics-rapier-1.3.0',
        uid: manifest.metadata.uid,
        controller: true,
      }),
    ]);
    expect(physics.spec.template.spec.containers[0]).toMatchObject({
      image: manifest.spec.image,
      ports: [expect.objectContaining({ containerPort: manifest.spec.endpoint.port })],
    });
    // Written by server-side apply, under the controller's field manager.
    expect(physics.metadata.managedFields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ manager: 'anvil-resolver', operation: 'Apply' }),
      ]),
    );
    const service = await getJson(['service', 'physics-rapier-1-3-0', '-n', namespace]);
    expect(service.spec).toMatchObject({
      clusterIP: 'None',
      selector: { 'anvil.dev/workload': 'physics-rapier-1-3-0' },
    });
    // The versions no world binds run nothing.
    expect(names(await deployments(namespace))).not.toContain('physics-rapier-2-0-0');
  });

  it('keeps the worlds on the old version while the new one is not Ready, and says so, across a controller kill', async () => {
    await applyYaml(namespace, PHYSICS_1_5);
    await poll('1.5.0 to be created', async () =>
      names(await deployments(namespace)).includes('physics-rapier-1-5-0'),
    );
    const waiting = await poll('the world to say it waits for 1.5.0', async () => {
      const migrating = condition(await getWorld(namespace, 'arena-eu-1'), 'Migrating');
      return migrating?.reason === 'WaitingForWorkload' && migrating;
    });
    expect(waiting).toMatchObject({ status: 'True' });
    expect(waiting.message).toMatch(
      /^physics-rapier 1\.5\.0 is not ready \(Deployment physics-rapier-1-5-0: 0 of 1 replicas available\); the world stays on physics-rapier 1\.3\.0 until it is$/,
    );
    // `kubectl get worlds -o wide` shows it too.
    const wide = await kubectlOk(['get', 'worlds', 'arena-eu-1', '-n', namespace, '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/\bMIGRATING\b/);
    expect(wide).toMatch(/\bWaitingForWorkload\b/);
    await poll('an Event saying so', async () =>
      (await worldEvents(namespace, 'arena-eu-1')).some((e) => e.reason === 'WaitingForWorkload'),
    );
    // The controller is killed mid-move; its successor carries on from what the cluster says.
    await controller?.stop('SIGKILL');
    controller = await ControllerProcess.start({
      namespace,
      kubeconfig: await controllerKubeconfig(),
      identity: 'resolver-w2',
      env: { MODULE_WORKLOADS: 'true', WORKLOAD_SYNC_MS: '200' },
    });
    await poll('the new controller to lead', async () => controller!.isLeader(), {
      timeoutMs: 60_000,
    });
    // No kubelet starts 1.5.0's pod: many sync periods later, the world still binds 1.3.0, which
    // still runs.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(names(await deployments(namespace))).toContain('physics-rapier-1-3-0');
    expect(await boundWorkloads(namespace)).toContain('physics-rapier-1-3-0');
    expect(await boundWorkloads(namespace)).not.toContain('physics-rapier-1-5-0');
    const still = condition(await getWorld(namespace, 'arena-eu-1'), 'Migrating');
    expect(still).toEqual(waiting);
    // Resolution's status writes keep the condition it does not own.
    expect(condition(await getWorld(namespace, 'arena-eu-1'), 'Ready')?.status).toBe('True');
    expect(condition(await getWorld(namespace, 'arena-eu-1'), 'Migrating')?.status).toBe('True');
  });

  it('moves the bindings once the new version is Ready, removes the old one, and the world says it moved', async () => {
    await markPodsReady(namespace, 'physics-rapier-1-5-0');
    await poll('the worlds to bind physics-rapier 1.5.0', async () => {
      const bound = await boundWorkloads(namespace);
      return bound.includes('physics-rapier-1-5-0') && !bound.includes('physics-rapier-1-3-0');
    });
    // Each binding reaches the version it names at that version's own Service.
    const physics = (await getBindings(namespace)).find(
      (b) => b.spec.provider.module === 'physics-rapier',
    );
    expect(physics?.spec.provider.endpoint.host).toBe(`physics-rapier-1-5-0.${namespace}.svc`);
    await poll('1.3.0 to be gone', async () => {
      const found = names(await deployments(namespace));
      return found.includes('physics-rapier-1-5-0') && !found.includes('physics-rapier-1-3-0');
    });
    await poll('the old Service to be gone', async () => {
      const services = (await getJson(['services', '-n', namespace, '-l', MANAGED])).items;
      return !names(services).includes('physics-rapier-1-3-0');
    });
    const migrated = await poll('the world to say it moved', async () => {
      const migrating = condition(await getWorld(namespace, 'arena-eu-1'), 'Migrating');
      return migrating?.status === 'False' && migrating;
    });
    expect(migrated.reason).toBe('Migrated');
    const reasons = (await worldEvents(namespace, 'arena-eu-1')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['WaitingForWorkload', 'Migrated']));
  });

  it("deletes a workload with its manifest (the API server's garbage collector, controller stopped)", async () => {
    await controller?.stop();
    controller = undefined;
    await kubectlOk(['delete', 'modulemanifest', 'physics-rapier-1.5.0', '-n', namespace]);
    await poll(
      "the garbage collector to delete the manifest's Deployment and Service",
      async () => {
        const deployment = names(await deployments(namespace));
        const services = names((await getJson(['services', '-n', namespace, '-l', MANAGED])).items);
        return (
          !deployment.includes('physics-rapier-1-5-0') && !services.includes('physics-rapier-1-5-0')
        );
      },
      { timeoutMs: 150_000 },
    );
    // The others are untouched: their manifests still exist.
    expect(names(await deployments(namespace))).toContain('interaction-engine-1-0-0');
  });
});
