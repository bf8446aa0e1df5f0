// Where things are in the workspace. The host loads apps and libraries through their
// packages' public entry points (`@anvil/gateway`, ...), never by path into a build.
import * as path from 'node:path';

/** The repository's root (this file is in tools/embedded/src, or its build in dist/). */
export const ROOT = path.join(__dirname, '..', '..', '..');

/** The web view's static files (HTML, CSS) and its compiled script. */
export const WEB_DIR = path.join(__dirname, '..', 'web');
export const WEB_SCRIPT = path.join(__dirname, '..', 'dist', 'web', 'app.js');

/** A path relative to the working folder when inside it, else absolute. */
export function shown(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
}

/** The message of anything thrown. */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
