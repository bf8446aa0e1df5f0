// Lets `npm start` and `npm test` work on a fresh clone: installs dependencies when
// node_modules is missing or older than package-lock.json. Only Node built-ins here.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function ensureInstalled(root = path.join(__dirname, '..', '..')) {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('Installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm ci failed; fix the error above and run the command again.');
    process.exit(result.status ?? 1);
  }
}

module.exports = { ensureInstalled };
