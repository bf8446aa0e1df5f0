import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.join(__dirname, '..', '..', '..');

/** The apps the cluster runs, as Nx projects. */
export const APPS = [
  'resolver-controller',
  'physics-engine',
  'interaction-engine',
  'tag-game',
  'analytics',
  'gateway',
] as const;
export type App = (typeof APPS)[number];

export const mainJs = (app: App) => path.join(REPO, 'apps', app, 'dist', 'main.js');

/** Newest modification time of the non-test TypeScript under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['testing', 'node_modules', 'e2e', 'generated'].includes(entry.name))
        newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds the apps (with the libraries they use) when a dist/main.js is older than the sources:
 * the suite runs the built apps as processes, as they run in their containers.
 */
export function ensureAppsBuilt(): void {
  const libs = fs
    .readdirSync(path.join(REPO, 'libs'))
    .map((lib) => path.join(REPO, 'libs', lib, 'src'));
  const newestLib = Math.max(...libs.filter((dir) => fs.existsSync(dir)).map(newestSource));
  const stale = APPS.filter((app) => {
    const built = fs.existsSync(mainJs(app)) ? fs.statSync(mainJs(app)).mtimeMs : 0;
    return built < Math.max(newestLib, newestSource(path.join(REPO, 'apps', app, 'src')));
  });
  if (stale.length === 0) return;
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...stale, '--output-style=static'], {
    cwd: REPO,
    stdio: 'inherit',
    timeout: 900_000,
  });
}
