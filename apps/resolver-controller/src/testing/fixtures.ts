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

/**
 * Not an example: a game over the example manifests that binds what deploy/examples no longer
 * does, a world-shard requirement (physics-rapier's state.checkpoint, once per shard) and a
 * "many" requirement with two providers (analytics-kafka 1.0.0 and an archive sink 1.2.0).
 * World `replay-1`, 2 shards: 4 bindings. Use with `exampleSet(ns, 'replay-1', REPLAY_YAML)`.
 */
export const REPLAY_YAML = `apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: replay-recorder-1.0.0 }
spec:
  module: replay-recorder
  version: 1.0.0
  image: example/replay-recorder:1.0.0
  endpoint: { port: 50070, protocol: grpc }
  requires:
    - { capabilityId: state.checkpoint, versionConstraint: ^1.0.0, scope: world-shard, multiplicity: '1', dependencyMode: required }
    - { capabilityId: analytics.sink, versionConstraint: ^1.0.0, scope: world, multiplicity: many, dependencyMode: optional }
---
apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: analytics-archive-1.2.0 }
spec:
  module: analytics-archive
  version: 1.2.0
  image: example/analytics-archive:1.2.0
  endpoint: { port: 8081, protocol: http }
  provides:
    - { capabilityId: analytics.sink, version: 1.2.0, scope: world }
---
apiVersion: anvil.dev/v1alpha1
kind: GameDefinition
metadata: { name: replay }
spec:
  modules:
    - { name: replay-recorder }
    - { name: physics-rapier, versionConstraint: ^1.0.0 }
    - { name: analytics-kafka }
    - { name: analytics-archive }
---
apiVersion: anvil.dev/v1alpha1
kind: WorldInstance
metadata: { name: replay-1 }
spec: { gameRef: replay, region: eu-west, shards: 2 }
`;

/** A deep copy (fixtures are mutated by tests). */
export const clone = <T>(value: T): T => structuredClone(value);
