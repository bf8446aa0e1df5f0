import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CachedGame, CachedManifest, CachedWorld } from '../mapping/cluster-cache';
import type { KubeObject } from '../informers/kube-object';

/** deploy/examples of the repository. */
export const EXAMPLES_DIR = path.join(__dirname, '..', '..', '..', '..', 'deploy', 'examples');

/** Every object of deploy/examples, in file order, placed in `namespace` with fake uid/resourceVersion. */
export function loadExamples(namespace = 'test'): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const file of fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'))) {
      const obj = doc.toJS() as KubeObject | null;
      if (!obj) continue;
      obj.metadata = {
        ...obj.metadata,
        namespace,
        uid: `uid-${obj.metadata.name}`,
        resourceVersion: '1',
        generation: 1,
      };
      objects.push(obj);
    }
  }
  return objects;
}

/** The example objects split by kind. */
export function exampleSet(namespace = 'test') {
  const all = loadExamples(namespace);
  const of = <T>(kind: string) => all.filter((o) => o.kind === kind) as unknown as T[];
  return {
    manifests: of<CachedManifest>('ModuleManifest'),
    game: of<CachedGame>('GameDefinition')[0],
    world: of<CachedWorld>('WorldInstance')[0],
  };
}

/** A deep copy (fixtures are mutated by tests). */
export const clone = <T>(value: T): T => structuredClone(value);
