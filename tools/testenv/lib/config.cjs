'use strict';
// Paths, versions and ports of the Anvil test environment. Everything here can be
// overridden through environment variables (see tools/testenv/README.md).
const os = require('node:os');
const path = require('node:path');

const TESTENV_DIR = path.resolve(__dirname, '..'); // tools/testenv
const REPO_ROOT = path.resolve(TESTENV_DIR, '..', '..');

const VERSIONS = Object.freeze({
  kubernetes: '1.35.4',
  etcd: '3.6.5',
  kafka: '3.9.1',
  jaeger: '1.76.0',
});

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    const { TestenvError } = require('./util.cjs');
    throw new TestenvError(
      `${name}=${JSON.stringify(raw)} is not a TCP port (an integer 1-65535); unset it or pick a free port`,
    );
  }
  return n;
}

function cacheRoot() {
  if (process.env.TESTENV_CACHE_DIR) return path.resolve(process.env.TESTENV_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'anvil-testenv');
}

/** Resolved configuration; call again to pick up changed environment variables. */
function load() {
  const stateDir = process.env.TESTENV_STATE_DIR
    ? path.resolve(process.env.TESTENV_STATE_DIR)
    : path.join(REPO_ROOT, '.testenv');
  const cache = cacheRoot();
  const host = '127.0.0.1';
  const ports = {
    etcd: intFromEnv('TESTENV_ETCD_PORT', 12379),
    etcdPeer: intFromEnv('TESTENV_ETCD_PEER_PORT', 12380),
    kubeApiserver: intFromEnv('TESTENV_KUBE_PORT', 16443),
    kubeControllerManager: intFromEnv('TESTENV_KCM_PORT', 16444),
    kafka: intFromEnv('TESTENV_KAFKA_PORT', 19092),
    kafkaController: intFromEnv('TESTENV_KAFKA_CONTROLLER_PORT', 19093),
    postgres: intFromEnv('TESTENV_PG_PORT', 15432),
    otlpHttp: intFromEnv('TESTENV_OTLP_HTTP_PORT', 14318),
    otlpGrpc: intFromEnv('TESTENV_OTLP_GRPC_PORT', 14317),
    jaegerQuery: intFromEnv('TESTENV_JAEGER_QUERY_PORT', 16686),
    jaegerQueryGrpc: intFromEnv('TESTENV_JAEGER_QUERY_GRPC_PORT', 16685),
    jaegerAdmin: intFromEnv('TESTENV_JAEGER_ADMIN_PORT', 14269),
    jaegerCollectorGrpc: intFromEnv('TESTENV_JAEGER_COLLECTOR_GRPC_PORT', 14250),
    jaegerCollectorHttp: intFromEnv('TESTENV_JAEGER_COLLECTOR_HTTP_PORT', 14268),
  };
  return {
    repoRoot: REPO_ROOT,
    testenvDir: TESTENV_DIR,
    host,
    versions: VERSIONS,
    ports,
    cacheDir: cache,
    kubeCacheDir: path.join(cache, `kube-${VERSIONS.kubernetes}`),
    kubeBinDir: path.join(cache, `kube-${VERSIONS.kubernetes}`, 'bin'),
    kafkaCacheDir: path.join(cache, `kafka-${VERSIONS.kafka}`),
    kafkaLibDir: path.join(cache, `kafka-${VERSIONS.kafka}`, 'libs'),
    jaegerCacheDir: path.join(cache, `jaeger-${VERSIONS.jaeger}`),
    jaegerBinDir: path.join(cache, `jaeger-${VERSIONS.jaeger}`, 'bin'),
    stateDir,
    logDir: path.join(stateDir, 'logs'),
    pidDir: path.join(stateDir, 'pids'),
    certDir: path.join(stateDir, 'certs'),
    etcdDataDir: path.join(stateDir, 'etcd'),
    kubeDir: path.join(stateDir, 'kube'),
    kafkaDir: path.join(stateDir, 'kafka'),
    jaegerDir: path.join(stateDir, 'jaeger'),
    kubeconfig: path.join(stateDir, 'kubeconfig'),
    envFile: path.join(stateDir, 'env'),
    kubeApiserverUrl: `https://${host}:${ports.kubeApiserver}`,
    kafkaBrokers: `${host}:${ports.kafka}`,
    otlpEndpoint: `http://${host}:${ports.otlpHttp}`,
    jaegerUrl: `http://${host}:${ports.jaegerQuery}`,
    database: {
      name: 'anvil_test',
      user: 'anvil',
      password: 'anvil',
      superuser: 'postgres',
      superPassword: 'postgres',
    },
  };
}

module.exports = { load, VERSIONS, REPO_ROOT, TESTENV_DIR };
