import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CLI_ERROR_CODES as C, CliError } from '../errors';

/** The openAPIV3Schema of each anvil.dev kind, read from the CRDs (the one source of truth). */
export type CrdSchemas = Map<string, object>;

/**
 * Finds the CRD folder, from `start` upwards: the `crds/` copied next to the built CLI
 * (`dist/crds`, so an installed CLI or its image needs no checkout), else a repository's
 * `deploy/crds`.
 */
export function findCrdDir(start = __dirname): string {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, 'crds'), path.join(dir, 'deploy', 'crds')]) {
      if (fs.existsSync(path.join(candidate, CRD_PROBE))) return candidate;
    }
  }
  throw new CliError(
    C.crdsNotFound,
    'cannot find the anvil.dev CRDs (deploy/crds); reinstall the CLI',
  );
}

/** A file every CRD folder has. */
const CRD_PROBE = 'modulemanifests.yaml';

interface CrdDocument {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name: string; schema?: { openAPIV3Schema?: object } }[];
  };
}

/** Loads every CustomResourceDefinition of the anvil.dev group found in dir. */
export function loadCrdSchemas(dir = findCrdDir()): CrdSchemas {
  const schemas: CrdSchemas = new Map();
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const crd = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CrdDocument;
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.group !== 'anvil.dev') continue;
    const version = crd.spec.versions?.find((v) => v.name === 'v1alpha1');
    const kind = crd.spec.names?.kind;
    if (kind && version?.schema?.openAPIV3Schema) schemas.set(kind, version.schema.openAPIV3Schema);
  }
  return schemas;
}
