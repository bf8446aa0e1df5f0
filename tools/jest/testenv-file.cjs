const fs = require('node:fs');
const path = require('node:path');

const envFile = path.join(__dirname, '..', '..', '.testenv', 'env');

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
