import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APP_DIR, MAIN_JS, REPO } from './paths';

/** Newest modification time of the non-test TypeScript under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testing' && entry.name !== 'node_modules')
        newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds the controller (and the libraries it depends on) with Nx when dist/main.js is older
 * than its sources or those of the libraries it uses (capability-model, storage, runtime). The
 * integration tests run that build as child processes, as it would run in a pod.
 */
export function ensureBuilt(): void {
  const built = fs.existsSync(MAIN_JS) ? fs.statSync(MAIN_JS).mtimeMs : 0;
  const sources = Math.max(
    newestSource(path.join(APP_DIR, 'src')),
    newestSource(path.join(REPO, 'libs', 'capability-model', 'src')),
    newestSource(path.join(REPO, 'libs', 'storage', 'src')),
    newestSource(path.join(REPO, 'libs', 'runtime', 'src')),
  );
  if (built >= sources) return;
  execFileSync('npx', ['nx', 'run', 'resolver-controller:build', '--output-style=static'], {
    cwd: REPO,
    stdio: 'inherit',
    timeout: 600_000,
  });
}
