// Where things are in the workspace, and how the host loads them: libraries through the
// workspace's own node_modules, apps through their *built* dist/ files (the host composes
// apps the way docker-compose composes images: it never imports their TypeScript).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const ROOT = path.join(__dirname, '..', '..', '..');

/** `require` as seen from a workspace package folder (e.g. 'apps/cli'), so its own dependencies resolve. */
function requireFrom(folder, request) {
  return createRequire(path.join(ROOT, folder, 'package.json'))(request);
}

/** Resolves a file inside a dependency, as seen from a workspace package folder. */
function resolveFrom(folder, request) {
  return createRequire(path.join(ROOT, folder, 'package.json')).resolve(request);
}

/** The built file of an app (`apps/<app>/dist/<file>.js`); a clear error when it is missing. */
function requireBuilt(app, file) {
  const full = path.join(ROOT, 'apps', app, 'dist', `${file}.js`);
  if (!fs.existsSync(full)) {
    throw new Error(
      `${path.relative(ROOT, full)} is missing: build it with \`npx nx run ${app}:build\` (npm start builds it unless --no-build)`,
    );
  }
  return require(full);
}

/**
 * Projects `npm start` builds (their library dependencies are built first by Nx): what the host
 * runs, and the CLI, so `npx anvil` works next to it.
 */
const BUILD_PROJECTS = [
  'capability-model',
  'physics-engine',
  'interaction-engine',
  'gateway',
  'cli',
];

/** Builds what the host needs through Nx (cached: quick when nothing changed). Returns true on success. */
function build(projects = BUILD_PROJECTS) {
  const nx = resolveFrom('.', 'nx/bin/nx.js');
  const result = spawnSync(
    process.execPath,
    [nx, 'run-many', '-t', 'build', '-p', ...projects, '--output-style=static'],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: process.env },
  );
  return result.status === 0;
}

module.exports = { ROOT, requireFrom, resolveFrom, requireBuilt, build, BUILD_PROJECTS };
