#!/usr/bin/env node
'use strict';
// Anvil test environment CLI. See tools/testenv/README.md.
//   node tools/testenv/cli.cjs up | down | status | env
//   node tools/testenv/cli.cjs start|stop|restart <component>
//   node tools/testenv/cli.cjs sa-kubeconfig <namespace> <serviceaccount> <out-file>
const path = require('node:path');
const testenv = require('./lib/index.cjs');

const USAGE = `usage: node tools/testenv/cli.cjs <command>
  up                                   start etcd, kube-apiserver, kube-controller-manager, Kafka, PostgreSQL,
                                       Jaeger (builds/downloads once, cached; idempotent); writes .testenv/env
  up kube|kafka|postgres|tracing ...   start only those groups
  down                                 stop everything and remove .testenv
  status                               print each component up/down (exit code 1 when any is down)
  env                                  print .testenv/env
  start|stop|restart <component>       one of: ${testenv.COMPONENT_NAMES.join(', ')} (data is kept)
  sa-kubeconfig <namespace> <serviceaccount> <out-file>
                                       create the ServiceAccount if missing, mint a token (TokenRequest),
                                       write a kubeconfig that authenticates as it`;

async function main(argv) {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'up': {
      const allowed = ['kube', 'kafka', 'postgres', 'tracing'];
      const bad = args.filter((a) => !allowed.includes(a));
      if (bad.length)
        throw new testenv.TestenvError(
          `up: unknown group ${bad.join(', ')}; use ${allowed.join(', ')}`,
        );
      await testenv.up({ only: args.length ? args : undefined });
      return 0;
    }
    case 'down':
      await testenv.down();
      return 0;
    case 'status': {
      const rows = await testenv.status();
      const rel = (p) => path.relative(process.cwd(), p) || p;
      for (const r of rows) {
        const state = r.up ? 'up' : r.running ? 'unhealthy' : 'down';
        const pid = r.pids.length ? `pid ${r.pids.join(',')}` : '';
        process.stdout.write(
          `${r.name.padEnd(24)} ${state.padEnd(10)} ${r.endpoint.padEnd(34)} ${pid.padEnd(12)} ${r.up || r.running ? rel(r.log) : ''}`.trimEnd() +
            '\n',
        );
      }
      return rows.every((r) => r.up) ? 0 : 1;
    }
    case 'env': {
      const env = testenv.readEnv();
      if (Object.keys(env).length === 0)
        throw new testenv.TestenvError(
          'no .testenv/env: the environment is not up; run npm run testenv:up',
        );
      for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
      return 0;
    }
    case 'start':
    case 'stop':
    case 'restart': {
      if (args.length !== 1)
        throw new testenv.TestenvError(
          `${cmd}: name one component: ${testenv.COMPONENT_NAMES.join(', ')}`,
        );
      if (cmd === 'start') await testenv.startComponent(args[0]);
      else if (cmd === 'stop') await testenv.stopComponent(args[0]);
      else await testenv.restartComponent(args[0]);
      return 0;
    }
    case 'sa-kubeconfig': {
      if (args.length !== 3)
        throw new testenv.TestenvError(
          'usage: sa-kubeconfig <namespace> <serviceaccount> <out-file>',
        );
      const r = await testenv.saKubeconfig(args[0], args[1], args[2]);
      process.stdout.write(`${r.kubeconfig}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return cmd === undefined ? 1 : 0;
    default:
      throw new testenv.TestenvError(
        `unknown command ${JSON.stringify(cmd)}; run: node tools/testenv/cli.cjs help`,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err && err.name === 'TestenvError') process.stderr.write(`testenv: ${err.message}\n`);
    else process.stderr.write(`testenv: unexpected error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
