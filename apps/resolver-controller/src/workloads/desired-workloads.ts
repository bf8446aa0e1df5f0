import { API_VERSION } from '@anvil/capability-model';
import type { CachedBinding, CachedManifest } from '../mapping/cluster-cache';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../mapping/labels';
import type { NamespacedVersion } from '../rollout/rollout-gate';
import { workloadName } from '../rollout/workload-name';

/** Label on a module workload's Deployment, Service and pods: the workload's own name. */
export const WORKLOAD_LABEL = 'anvil.dev/workload';
/** Label naming the ModuleManifest a workload runs. */
export const MANIFEST_LABEL = 'anvil.dev/manifest';
/** Standard label naming a workload's module (as a label value). */
export const MODULE_LABEL = 'app.kubernetes.io/name';

/** A Kubernetes object as this controller applies it (server-side apply body). */
export interface AppliedObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: Array<Record<string, unknown>>;
  };
  spec: Record<string, unknown>;
}

/** What runs one ModuleManifest version: its Deployment and its headless Service. */
export interface ModuleWorkload {
  namespace: string;
  /** The Deployment's and the Service's name (a DNS-1035 label). */
  name: string;
  /** The ModuleManifest it runs (its owner). */
  manifest: string;
  deployment: AppliedObject;
  service: AppliedObject;
}

/**
 * The workloads of `versions` (the versions the worlds bind, as provider or as consumer, and
 * those the resolver wants them on): one per ModuleManifest among them, in the manifest's
 * namespace. Pure and ordered by namespace and name; a manifest without a uid (not stored yet)
 * has no workload, since its owner reference could not name it.
 */
export function desiredWorkloads(
  manifests: readonly CachedManifest[],
  versions: Iterable<NamespacedVersion>,
): ModuleWorkload[] {
  const wanted = new Set<string>();
  for (const { namespace, module, version } of versions)
    wanted.add(moduleKey(namespace, module, version));
  return manifests
    .filter((m) => m.metadata.uid !== undefined)
    .filter((m) => wanted.has(moduleKey(m.metadata.namespace ?? '', m.spec.module, m.spec.version)))
    .map(workloadOf)
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** The module versions the bindings name, as provider and as consumer, with their namespace. */
export function bindingVersions(bindings: readonly CachedBinding[]): NamespacedVersion[] {
  return bindings.flatMap(({ metadata, spec }) =>
    [spec.provider, spec.consumer].map(({ module, version }) => ({
      namespace: metadata.namespace ?? '',
      module,
      version,
    })),
  );
}

function moduleKey(namespace: string, module: string, version: string): string {
  return `${namespace}/${module}@${version}`;
}

/** The workload of one manifest. */
export function workloadOf(manifest: CachedManifest): ModuleWorkload {
  const { module, version, image, endpoint } = manifest.spec;
  const namespace = manifest.metadata.namespace ?? 'default';
  const name = workloadName(module, version);
  const labels = {
    [MODULE_LABEL]: labelValue(module),
    'app.kubernetes.io/version': labelValue(version),
    'app.kubernetes.io/component': 'module',
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [MANIFEST_LABEL]: labelValue(manifest.metadata.name),
    [WORKLOAD_LABEL]: name,
  };
  const ownerReferences = [
    {
      apiVersion: API_VERSION,
      kind: 'ModuleManifest',
      name: manifest.metadata.name,
      uid: manifest.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const port = { name: endpoint.protocol === 'grpc' ? 'grpc' : 'http', port: endpoint.port };
  const metadata = { name, namespace, labels, ownerReferences };
  return {
    namespace,
    name,
    manifest: manifest.metadata.name,
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        selector: { matchLabels: { [WORKLOAD_LABEL]: name } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'module',
                image,
                ports: [{ name: port.name, containerPort: port.port }],
                env: [
                  { name: 'MODULE_VERSION', value: version },
                  { name: 'REPLICA_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                ],
              },
            ],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        clusterIP: 'None',
        selector: { [WORKLOAD_LABEL]: name },
        ports: [{ name: port.name, port: port.port, targetPort: port.port }],
      },
    },
  };
}

/** A label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
function labelValue(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
