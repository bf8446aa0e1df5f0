#!/usr/bin/env node
// `npm run bench [name...]`: builds the workspace, then runs bench/<name>/run.cjs for each
// benchmark (all when none is named). Each prints a table and writes bench/results/<name>.json.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const benchDir = path.join(root, 'bench');
const available = fs
  .readdirSync(benchDir)
  .filter((name) => fs.existsSync(path.join(benchDir, name, 'run.cjs')))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, [
  require.resolve('nx/bin/nx'),
  'run-many',
  '-t',
  'build',
  '--output-style=static',
]);
fs.mkdirSync(path.join(benchDir, 'results'), { recursive: true });
for (const name of wanted.length ? wanted : available) {
  console.log(`\n== bench/${name}`);
  run(process.execPath, ['--expose-gc', path.join(benchDir, name, 'run.cjs')]);
}
