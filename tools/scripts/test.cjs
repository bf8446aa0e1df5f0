#!/usr/bin/env node
// `npm test` / `npm run test:integration`: one Jest run over every project, so the closing
// line counts all of them. Extra arguments go to Jest (e.g. a path filter).
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensureInstalled } = require('./ensure-install.cjs');

const kind = process.argv[2];
const configs = { unit: 'jest.config.cjs', integration: 'jest.integration.config.cjs' };
if (!configs[kind]) {
  console.error(`usage: test.cjs unit|integration [jest args]`);
  process.exit(2);
}
const root = path.join(__dirname, '..', '..');
ensureInstalled(root);
const extra = kind === 'integration' ? ['--runInBand'] : [];
const result = spawnSync(
  process.execPath,
  [require.resolve('jest/bin/jest'), '-c', configs[kind], ...extra, ...process.argv.slice(3)],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
