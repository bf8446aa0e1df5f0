import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CachedGame, CachedManifest, CachedWorld } from '../mapping/cluster-cache';
import type { KubeObject } from '../informers/kube-object';

/** deploy/examples of the repository. */
export const EXAMPLES_DIR = path.join(__dirname, '..', '..', '..', '..', 'deploy', 'examples');

/** The example world of the arena game (deploy/examples/world.yaml). */
export const EXAMPLE_WORLD = 'arena-eu-1';

/** The objects of YAML text, placed in `namespace` with fake uid/resourceVersion. */
export function parseObjects(text: string, namespace = 'test'): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
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
  return objects;
}

/** Every object of deploy/examples, in file order, placed in `namespace` with fake uid/resourceVersion. */
export function loadExamples(namespace = 'test'): KubeObject[] {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseObjects(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'), namespace),
    );
}

/**
 * The manifests of deploy/examples (plus those of `extraYaml`), and the world named `world` with
 * its game, picked by name: the folder holds other games' worlds too.
 */
export function exampleSet(namespace = 'test', world = EXAMPLE_WORLD, extraYaml = '') {
  const all = [...loadExamples(namespace), ...parseObjects(extraYaml, namespace)];
  const of = <T>(kind: string) => all.filter((o) => o.kind === kind) as unknown as T[];
  const found = of<CachedWorld>('WorldInstance').find((w) => w.metadata.name === world);
  if (!found) throw new Error(`no WorldInstance ${world} in the examples`);
  const game = of<CachedGame>('GameDefinition').find((g) => g.metadata.name === found.spec.gameRef);
  if (!game) throw new Error(`no GameDefinition ${found.spec.gameRef} in the examples`);
  return { manifests: of<CachedManifest>('ModuleManifest'), game, world: found };
}

/** test/fixtures/replay-game.yaml: a game that binds per shard and ranks two sinks (see its header). */
export const REPLAY_YAML = fs.readFileSync(
  path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'replay-game.yaml'),
  'utf8',
);

/** A deep copy (fixtures are mutated by tests). */
export const clone = <T>(value: T): T => structuredClone(value);
