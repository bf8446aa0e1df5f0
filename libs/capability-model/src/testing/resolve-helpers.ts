import { resolve } from '../resolve';
import { Diagnostic, ModuleManifest, Resolution } from '../types';
import { game, world } from './builders';

/** Resolves world `w` (shards) of a game made of every module of `manifests` (or `modules`). */
export function run(
  manifests: ModuleManifest[],
  options: { modules?: Parameters<typeof game>[0]; shards?: number } = {},
): Resolution {
  const modules = options.modules ?? [...new Set(manifests.map((m) => m.spec.module))];
  return resolve(world('w', options.shards ?? 1), game(modules), manifests);
}

/** Bindings as `consumer->provider@version[#shard]`. */
export const edges = (r: Resolution) =>
  r.bindings.map(
    (b) =>
      `${b.consumer}->${b.provider}@${b.providerVersion}${b.shard === null ? '' : `#${b.shard}`}`,
  );

/** Diagnostics as `severity:code`. */
export const codes = (r: Resolution) => r.diagnostics.map((d) => `${d.severity}:${d.code}`);

/** The one diagnostic with this code (fails the test unless there is exactly one). */
export function only(r: Resolution, code: string): Diagnostic {
  const found = r.diagnostics.filter((d) => d.code === code);
  expect(found).toHaveLength(1);
  return found[0];
}
