const fs = require('node:fs');
const path = require('node:path');

// The state folder of tools/testenv: TESTENV_STATE_DIR when set (as `testenv:up` reads it),
// else <repo>/.testenv.
const stateDir = process.env.TESTENV_STATE_DIR
  ? path.resolve(process.env.TESTENV_STATE_DIR)
  : path.join(__dirname, '..', '..', '.testenv');
const envFile = path.join(stateDir, 'env');

/** Parses .testenv/env (KEY=VALUE lines); throws a clear error when testenv is not up. */
function readTestenv() {
  if (!fs.existsSync(envFile)) {
    throw new Error(
      `Integration tests need the real services, but ${path.relative(process.cwd(), envFile)} is missing.\n` +
        'Run `npm run testenv:up` first (it provisions kube-apiserver, etcd, Kafka and PostgreSQL).',
    );
  }
  const env = {};
  for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]] = match[2];
  }
  return env;
}

module.exports = { readTestenv, envFile };
