import { InvalidStorageConfigError } from './errors';

/** How to open storage: one URL picks the backend. */
export interface StorageConfig {
  /**
   * `postgresql://user:pass@host:5432/db[?schema=name]` (or `postgres://`) for a PostgreSQL
   * server; `pglite://memory` for a throw-away in-memory database; `pglite://<folder>` for an
   * embedded database kept in that folder (relative to the working directory, or absolute as
   * `pglite:///var/lib/anvil`).
   */
  url: string;
}

/** A parsed {@link StorageConfig}: which backend, and what it needs. */
export type StorageTarget =
  | { kind: 'postgres'; connectionString: string; schema: string }
  | { kind: 'pglite'; dataDir: string | undefined };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const HINT =
  'use postgresql://user:pass@host:5432/db[?schema=name], pglite://memory or pglite://<folder>';

/** Parses and checks the storage URL; throws one {@link InvalidStorageConfigError} naming the problem. */
export function parseStorageConfig(config: StorageConfig): StorageTarget {
  const url: unknown = (config as Partial<StorageConfig> | undefined)?.url;
  if (typeof url !== 'string' || url.trim() === '') {
    throw new InvalidStorageConfigError(`storage url is missing: ${HINT}`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'pglite') return parsePglite(url.slice('pglite://'.length));
  if (scheme === 'postgresql' || scheme === 'postgres') return parsePostgres(url);
  const shown = scheme ? `${scheme}://…` : `"${redact(url)}"`;
  throw new InvalidStorageConfigError(`unsupported storage url ${shown}: ${HINT}`);
}

function parsePglite(rest: string): StorageTarget {
  if (rest === 'memory') return { kind: 'pglite', dataDir: undefined };
  if (rest === '' || rest.includes('?') || rest.includes('#')) {
    throw new InvalidStorageConfigError(
      `pglite url needs a folder or "memory" (got "pglite://${rest}"): ${HINT}`,
    );
  }
  return { kind: 'pglite', dataDir: rest };
}

function parsePostgres(raw: string): StorageTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new InvalidStorageConfigError(`malformed postgresql url "${redact(raw)}": ${HINT}`, {
      cause,
    });
  }
  if (url.hostname === '') {
    throw new InvalidStorageConfigError(`postgresql url "${redact(raw)}" has no host: ${HINT}`);
  }
  if (url.pathname.length <= 1) {
    throw new InvalidStorageConfigError(
      `postgresql url "${redact(raw)}" names no database: ${HINT}`,
    );
  }
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new InvalidStorageConfigError(
      `schema "${schema}" is not a plain lower-case identifier (a-z, 0-9, _; at most 63 characters)`,
    );
  }
  // `schema` is ours (Prisma's convention), not libpq's: keep it away from the driver.
  url.searchParams.delete('schema');
  return { kind: 'postgres', connectionString: url.toString(), schema };
}

/** The URL with any password replaced, safe for error messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
