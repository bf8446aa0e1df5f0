#!/usr/bin/env node
'use strict';
// Plain smoke check of a running test environment (npm run testenv:up first).
// Node built-ins (fetch), the testenv's kubectl and PostgreSQL client binaries only.
//   node tools/testenv/smoke.cjs
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const testenv = require('./lib/index.cjs');

const env = testenv.readEnv();
let failures = 0;

function check(name, fn) {
  return Promise.resolve()
    .then(fn)
    .then(
      (detail) => process.stdout.write(`ok    ${name}${detail ? ` (${detail})` : ''}\n`),
      (err) => {
        failures++;
        process.stdout.write(`FAIL  ${name}: ${err.message}\n`);
      },
    );
}

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, ...extraEnv },
    timeout: 30000,
  });
  if (r.error) throw r.error;
  return { code: r.status, out: `${r.stdout || ''}${r.stderr || ''}`.trim() };
}

async function main() {
  if (!env.KUBECONFIG) {
    process.stderr.write(
      'smoke: no .testenv/env; start the environment with: npm run testenv:up\n',
    );
    process.exit(1);
  }
  const kubectl = path.join(env.TESTENV_BIN, 'kubectl');
  const admin = ['--kubeconfig', env.KUBECONFIG];

  await check('kube-apiserver /readyz (kubectl get --raw)', () => {
    const r = run(kubectl, [...admin, 'get', '--raw', '/readyz']);
    if (r.code !== 0 || r.out !== 'ok') throw new Error(`exit ${r.code}: ${r.out}`);
    return r.out;
  });

  await check('server version parses (kubectl version)', () => {
    const r = run(kubectl, [...admin, 'version', '-o', 'json']);
    if (r.code !== 0) throw new Error(r.out);
    return JSON.parse(r.out).serverVersion.gitVersion;
  });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-smoke-'));
  try {
    const saConfig = path.join(tmp, 'no-rights.kubeconfig');
    await check('service-account kubeconfig (TokenRequest) authenticates', async () => {
      await testenv.saKubeconfig('anvil-smoke', 'no-rights', saConfig);
      const r = run(kubectl, [
        '--kubeconfig',
        saConfig,
        'auth',
        'whoami',
        '-o',
        'jsonpath={.status.userInfo.username}',
      ]);
      if (r.code !== 0 || r.out !== 'system:serviceaccount:anvil-smoke:no-rights')
        throw new Error(`exit ${r.code}: ${r.out}`);
      return r.out;
    });
    await check('RBAC: a service account without bindings cannot list configmaps', () => {
      const r = run(kubectl, [
        '--kubeconfig',
        saConfig,
        'auth',
        'can-i',
        'list',
        'configmaps',
        '-n',
        'anvil-smoke',
      ]);
      if (r.out !== 'no') throw new Error(`expected "no", got exit ${r.code}: ${r.out}`);
      const get = run(kubectl, [
        '--kubeconfig',
        saConfig,
        'get',
        'configmaps',
        '-n',
        'anvil-smoke',
      ]);
      if (get.code === 0 || !/forbidden/i.test(get.out))
        throw new Error(`expected Forbidden, got exit ${get.code}: ${get.out}`);
      return 'can-i: no; get: Forbidden';
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  await check(`Kafka broker answers on ${env.KAFKA_BROKERS}`, async () => {
    const [host, port] = env.KAFKA_BROKERS.split(':');
    const brokers = await testenv.kafkaMetadataBrokers(host, Number(port));
    if (brokers < 1) throw new Error('no live broker in the metadata response');
    return `${brokers} broker`;
  });

  await check('PostgreSQL answers (pg_isready, psql as anvil)', () => {
    const u = new URL(env.DATABASE_URL);
    const ready = run(path.join(env.TESTENV_PG_BIN, 'pg_isready'), [
      '-h',
      u.hostname,
      '-p',
      u.port,
    ]);
    if (ready.code !== 0) throw new Error(ready.out);
    const q = run(path.join(env.TESTENV_PG_BIN, 'psql'), [
      '-X',
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      env.DATABASE_URL,
      '-c',
      'select current_user, current_database()',
    ]);
    if (q.code !== 0 || q.out !== 'anvil|anvil_test') throw new Error(`exit ${q.code}: ${q.out}`);
    return q.out;
  });

  await check('Jaeger answers (OTLP POST /v1/traces, query GET /api/services)', async () => {
    if (!env.TESTENV_OTLP_ENDPOINT || !env.TESTENV_JAEGER_URL)
      throw new Error(
        'no TESTENV_OTLP_ENDPOINT/TESTENV_JAEGER_URL in .testenv/env; run npm run testenv:up again',
      );
    const otlp = await fetch(`${env.TESTENV_OTLP_ENDPOINT}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [] }),
    });
    if (otlp.status !== 200) throw new Error(`POST /v1/traces: HTTP ${otlp.status}`);
    const services = await fetch(`${env.TESTENV_JAEGER_URL}/api/services`);
    if (services.status !== 200) throw new Error(`GET /api/services: HTTP ${services.status}`);
    const { data } = await services.json();
    return `${(data || []).length} service(s) with traces`;
  });

  process.stdout.write(failures ? `${failures} check(s) failed\n` : 'all checks passed\n');
  process.exitCode = failures ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`smoke: ${err.message}\n`);
  process.exitCode = 1;
});
