import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { GameDefinition, ModuleManifest, WorldInstance } from '@anvil/capability-model';

/** deploy/examples of the repository. */
const EXAMPLES_DIR = path.join(__dirname, '..', '..', '..', '..', 'deploy', 'examples');

/** The objects of deploy/examples split by kind, placed in `namespace`, at generation 1. */
export function exampleSet(namespace = 'test') {
  const all = fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8')))
    .map((doc) => doc.toJS() as { kind: string; metadata: Record<string, unknown> } | null)
    .filter((o) => o !== null)
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace, generation: 1 } }));
  const of = <T>(kind: string) => all.filter((o) => o.kind === kind) as unknown as T[];
  return {
    manifests: of<ModuleManifest>('ModuleManifest'),
    game: of<GameDefinition>('GameDefinition')[0],
    world: of<WorldInstance>('WorldInstance')[0],
  };
}

/** A deep copy (fixtures are mutated by tests). */
export const clone = <T>(value: T): T => structuredClone(value);
