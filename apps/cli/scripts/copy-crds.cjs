// Bundles deploy/crds into dist/crds so the built CLI validates offline against the same schemas.
const fs = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', '..', '..', 'deploy', 'crds');
const target = path.join(__dirname, '..', 'dist', 'crds');
fs.mkdirSync(target, { recursive: true });
for (const file of fs.readdirSync(source).filter((f) => f.endsWith('.yaml'))) {
  fs.copyFileSync(path.join(source, file), path.join(target, file));
}
