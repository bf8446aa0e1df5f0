import type { ModuleManifest } from '@anvil/capability-model';
import { workloadName } from './workload-name';

const wired = new WeakMap<ModuleManifest, ModuleManifest>();

/**
 * The manifest as bindings see it when the controller runs module workloads: a manifest that
 * names no endpoint host is reached at its version's own headless Service
 * (`<module>-<version>.<namespace>.svc`, the workload's name), so a binding routes to the
 * version it names and nothing else. Pure; the copy is made once per manifest object (the
 * informer cache replaces an object that changes).
 */
export function withWorkloadHost(manifest: ModuleManifest): ModuleManifest {
  if (manifest.spec.endpoint.host) return manifest;
  let copy = wired.get(manifest);
  if (!copy) {
    const { module, version, endpoint } = manifest.spec;
    const namespace = manifest.metadata.namespace || 'default';
    const host = `${workloadName(module, version)}.${namespace}.svc`;
    copy = { ...manifest, spec: { ...manifest.spec, endpoint: { ...endpoint, host } } };
    wired.set(manifest, copy);
  }
  return copy;
}
