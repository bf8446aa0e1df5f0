import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CliError } from '../errors';

/** The openAPIV3Schema of each anvil.dev kind, read from the CRDs (the one source of truth). */
export type CrdSchemas = Map<string, object>;

/**
 * Finds the CRD folder: `crds/` next to the built CLI (copied at build time), else the
 * repository's `deploy/crds` above the current file.
 */
export function findCrdDir(start = __dirname): string {
  const bundled = path.join(start, 'crds');
  if (fs.existsSync(bundled)) return bundled;
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'deploy', 'crds');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new CliError('cannot find the anvil.dev CRDs (deploy/crds); reinstall the CLI');
}

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
  for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const crd = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CrdDocument;
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.group !== 'anvil.dev') continue;
    const version = crd.spec.versions?.find((v) => v.name === 'v1alpha1');
    const kind = crd.spec.names?.kind;
    if (kind && version?.schema?.openAPIV3Schema) schemas.set(kind, version.schema.openAPIV3Schema);
  }
  return schemas;
}
