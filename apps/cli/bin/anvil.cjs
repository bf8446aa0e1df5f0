#!/usr/bin/env node
// Entry point of `npx anvil`: runs the built CLI, or says how to build it.
const path = require('node:path');
const fs = require('node:fs');

const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(
    'anvil: the CLI is not built yet; run `npm run build` (or `npx nx run cli:build`) first\n',
  );
  process.exit(2);
}
require(main);
