import type { Json } from './json';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './paths';
import { kubectl, kubectlOk, saKubeconfig } from './testenv';

export { kubectl, kubectlOk };

/** Retries `check` until it returns a value other than undefined/false, or fails with its last error. */
export async function poll<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 500 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Installs the CRDs and waits until they are served. */
export async function installCrds(): Promise<void> {
  await kubectlOk([
    'apply',
    '--server-side',
    '--force-conflicts',
    '-f',
    path.join(REPO, 'deploy', 'crds'),
  ]);
  const crds = ['modulemanifests', 'gamedefinitions', 'worldinstances', 'capabilitybindings'].map(
    (p) => `crd/${p}.anvil.dev`,
  );
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...crds]);
}

/** Applies deploy/rbac and returns a kubeconfig that authenticates as the controller's ServiceAccount. */
export async function controllerKubeconfig(): Promise<string> {
  await kubectlOk(['apply', '-k', path.join(REPO, 'deploy', 'rbac')]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-rc-'));
  const { kubeconfig } = await saKubeconfig(
    'anvil-system',
    'resolver-controller',
    path.join(dir, 'kubeconfig'),
  );
  return kubeconfig;
}

/** Creates a fresh namespace named `<prefix>-<random>`. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await kubectlOk(['create', 'namespace', name]);
  return name;
}

/** Deletes a namespace without waiting. */
export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--wait=false']);
}

/** kubectl get -o json, parsed. */
export async function getJson<T = Json>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk(['get', ...args, '-o', 'json'])) as T;
}

/** Applies YAML text in a namespace. */
export async function applyYaml(namespace: string, yaml: string): Promise<void> {
  await kubectlOk(['apply', '-n', namespace, '-f', '-'], { input: yaml });
}

/** Applies the files of deploy/examples in a namespace. */
export async function applyExamples(namespace: string): Promise<void> {
  await kubectlOk(['apply', '-n', namespace, '-f', path.join(REPO, 'deploy', 'examples')]);
}
