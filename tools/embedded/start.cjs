#!/usr/bin/env node
// `npm start`: the whole Anvil platform in one process (docs/embedded.md). Plain CommonJS, so
// it runs on a fresh clone: installs, builds the host and what it runs through Nx (cached:
// quick when nothing changed), then runs the built host (dist/main.js).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureInstalled } = require('../scripts/ensure-install.cjs');

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(__dirname, 'dist', 'main.js');
/** The host (Nx builds the apps and libraries it depends on first) and the CLI, for `npx anvil`. */
const BUILD_PROJECTS = ['embedded', 'cli'];

const argv = process.argv.slice(2);
const noBuild =
  argv.includes('--no-build') ||
  !['', '0', 'false', undefined].includes(process.env.ANVIL_NO_BUILD);

ensureInstalled();
if (!noBuild) {
  console.log('Building the host and the apps (Nx; cached when nothing changed) …');
  const nx = require.resolve('nx/bin/nx.js', { paths: [ROOT] });
  const args = ['run-many', '-t', 'build', '-p', ...BUILD_PROJECTS, '--output-style=static'];
  const result = spawnSync(process.execPath, [nx, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    console.error(
      'The build failed (above). Fix it, or run with --no-build to use the last builds.',
    );
    process.exit(1);
  }
}
if (!fs.existsSync(MAIN)) {
  console.error(
    `${path.relative(ROOT, MAIN)} is missing: run \`npx nx run embedded:build\` (npm start builds it unless --no-build)`,
  );
  process.exit(1);
}
require(MAIN).main(argv);
