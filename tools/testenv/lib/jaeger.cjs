'use strict';
// Jaeger v1 all-in-one (collector + query + in-memory storage in one process), receiving
// OTLP, for tests that check the traces a service sends. Built from tools/testenv/jaeger
// (a Go module requiring github.com/jaegertracing/jaeger) and cached by version.
const fs = require('node:fs');
const path = require('node:path');
const u = require('./util.cjs');

const GO_MODULE_DIR = path.join(__dirname, '..', 'jaeger');
const BINARY = 'jaeger-all-in-one';
const PACKAGE = 'github.com/jaegertracing/jaeger/cmd/all-in-one';
const MAX_TRACES = 50000;

function ldflags(cfg) {
  const pkg = 'github.com/jaegertracing/jaeger/internal/version';
  return [
    '-s',
    '-w',
    `-X ${pkg}.latestVersion=v${cfg.versions.jaeger}`,
    `-X ${pkg}.date=2000-01-01T00:00:00Z`,
  ].join(' ');
}

function bin(cfg) {
  return path.join(cfg.jaegerBinDir, BINARY);
}

/** The Go build of jaeger-all-in-one (see util.cjs goBuild). */
function goBuildSpec(cfg) {
  return {
    component: 'jaeger',
    what: `Jaeger ${cfg.versions.jaeger}`,
    moduleDir: GO_MODULE_DIR,
    cacheDir: cfg.jaegerCacheDir,
    binDir: cfg.jaegerBinDir,
    ldflags: ldflags(cfg),
    binaries: [[BINARY, PACKAGE, cfg.versions.jaeger]],
  };
}

function preflight(cfg) {
  u.goPreflight(goBuildSpec(cfg));
}

function build(cfg) {
  return u.goBuild(goBuildSpec(cfg));
}

/** True when the binary is there (startComponent runs it without building). */
function binariesBuilt(cfg) {
  return u.isExecutable(bin(cfg));
}

// ---------------------------------------------------------------- process

/** Written on every start; its path on the command line marks this checkout's process. */
function configFile(cfg) {
  return path.join(cfg.jaegerDir, 'jaeger.yaml');
}

const CONFIG_TEXT = [
  '# Written by tools/testenv (regenerated on every start).',
  '# Every setting is a flag on the command line; see tools/testenv/lib/jaeger.cjs.',
  '',
].join('\n');

/** Every port the all-in-one opens, as [label, port, variable]: all set by flags. */
function ports(cfg) {
  const p = cfg.ports;
  return [
    ['OTLP/HTTP receiver', p.otlpHttp, 'TESTENV_OTLP_HTTP_PORT'],
    ['OTLP/gRPC receiver', p.otlpGrpc, 'TESTENV_OTLP_GRPC_PORT'],
    ['Jaeger query HTTP (API)', p.jaegerQuery, 'TESTENV_JAEGER_QUERY_PORT'],
    ['Jaeger query gRPC', p.jaegerQueryGrpc, 'TESTENV_JAEGER_QUERY_GRPC_PORT'],
    ['Jaeger admin (health, metrics)', p.jaegerAdmin, 'TESTENV_JAEGER_ADMIN_PORT'],
    ['Jaeger collector gRPC', p.jaegerCollectorGrpc, 'TESTENV_JAEGER_COLLECTOR_GRPC_PORT'],
    ['Jaeger collector HTTP', p.jaegerCollectorHttp, 'TESTENV_JAEGER_COLLECTOR_HTTP_PORT'],
  ];
}

function args(cfg) {
  const { host, ports: p } = cfg;
  return [
    `--config-file=${configFile(cfg)}`,
    `--collector.otlp.http.host-port=${host}:${p.otlpHttp}`,
    `--collector.otlp.grpc.host-port=${host}:${p.otlpGrpc}`,
    `--query.http-server.host-port=${host}:${p.jaegerQuery}`,
    `--query.grpc-server.host-port=${host}:${p.jaegerQueryGrpc}`,
    `--admin.http.host-port=${host}:${p.jaegerAdmin}`,
    `--collector.grpc-server.host-port=${host}:${p.jaegerCollectorGrpc}`,
    `--collector.http-server.host-port=${host}:${p.jaegerCollectorHttp}`,
    `--memory.max-traces=${MAX_TRACES}`,
    '--log-encoding=console',
  ];
}

/**
 * The caller's environment without OTEL_* (a test may have tracing on), with in-memory
 * storage and Jaeger's own tracing off. Its exporter (idle) points at its own receiver,
 * never at a collector on the default port 4317.
 */
function processEnv(cfg) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')),
  );
  return {
    ...env,
    SPAN_STORAGE_TYPE: 'memory',
    OTEL_TRACES_SAMPLER: 'always_off',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${cfg.host}:${cfg.ports.otlpGrpc}`,
  };
}

/** The admin server's `/` answers 200 ("Server available") once collector and query run. */
async function healthy(cfg) {
  try {
    const r = await u.httpGet(`http://${cfg.host}:${cfg.ports.jaegerAdmin}/`);
    return r.status === 200 && r.body.includes('Server available');
  } catch {
    return false;
  }
}

const jaeger = {
  name: 'jaeger',
  group: 'tracing',
  stopTimeoutMs: 5000,
  marker: (cfg) => `--config-file=${configFile(cfg)}`,
  ports,
  dataDirs: [(cfg) => cfg.jaegerDir],
  healthy,
  endpoint: (cfg) => `${cfg.host}:${cfg.ports.otlpHttp} OTLP, :${cfg.ports.jaegerQuery} query`,
  async start(cfg, { fresh }) {
    const log = path.join(cfg.logDir, 'jaeger.log');
    if (fresh) {
      u.rmrf(cfg.jaegerDir);
      u.rmrf(log);
    }
    u.mkdirp(cfg.jaegerDir);
    fs.writeFileSync(configFile(cfg), CONFIG_TEXT);
    const t0 = Date.now();
    u.log('jaeger', `starting (Jaeger ${cfg.versions.jaeger} all-in-one, in-memory storage)`);
    const pid = u.startDetached(cfg, 'jaeger', bin(cfg), args(cfg), {
      cwd: cfg.jaegerDir,
      env: processEnv(cfg),
      logFile: log,
    });
    await u.waitFor('jaeger', () => healthy(cfg), { pid, logFile: log, timeoutMs: 60000 });
    u.log(
      'jaeger',
      `ready: OTLP on ${cfg.otlpEndpoint}, query on ${cfg.jaegerUrl} (pid ${pid}) after ${u.elapsed(t0)}s`,
    );
    return pid;
  },
};

module.exports = {
  components: [jaeger],
  preflight,
  prepare: build,
  build,
  binariesBuilt,
  ldflags,
};
