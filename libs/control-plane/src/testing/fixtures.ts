import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { GameDefinition, ModuleManifest, WorldInstance } from '@anvil/capability-model';

/** deploy/examples of the repository. */
const EXAMPLES_DIR = path.join(__dirname, '..', '..', '..', '..', 'deploy', 'examples');

/**
 * The manifests of deploy/examples, and the world named `world` with its game (picked by name:
 * the folder holds other games' worlds too), placed in `namespace`, at generation 1.
 */
export function exampleSet(namespace = 'test', world = 'arena-eu-1') {
  const all = fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8')))
    .map((doc) => doc.toJS() as { kind: string; metadata: Record<string, unknown> } | null)
    .filter((o) => o !== null)
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace, generation: 1 } }));
  const of = <T>(kind: string) => all.filter((o) => o.kind === kind) as unknown as T[];
  const found = of<WorldInstance>('WorldInstance').find((w) => w.metadata.name === world);
  if (!found) throw new Error(`no WorldInstance ${world} in the examples`);
  const game = of<GameDefinition>('GameDefinition').find(
    (g) => g.metadata.name === found.spec.gameRef,
  );
  if (!game) throw new Error(`no GameDefinition ${found.spec.gameRef} in the examples`);
  return { manifests: of<ModuleManifest>('ModuleManifest'), game, world: found };
}

/** A deep copy (fixtures are mutated by tests). */
export const clone = <T>(value: T): T => structuredClone(value);
