'use strict';
// etcd + kube-apiserver + kube-controller-manager (+ kubectl), started the way
// controller-runtime's envtest does: own etcd on loopback, generated certificates,
// RBAC, a client-certificate admin. Binaries are built from tools/testenv/kube
// (a Go module requiring k8s.io/kubernetes) and cached by version.
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { load } = require('./config.cjs');
const u = require('./util.cjs');

const GO_MODULE_DIR = path.join(__dirname, '..', 'kube');

const BINARIES = [
  ['etcd', 'go.etcd.io/etcd/server/v3'],
  ['kube-apiserver', 'k8s.io/kubernetes/cmd/kube-apiserver'],
  ['kubectl', 'k8s.io/kubernetes/cmd/kubectl'],
  ['kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-controller-manager'],
];

const KCM_CONTROLLERS = [
  'garbage-collector-controller', // ownerReference garbage collection
  'namespace-controller', // deleting a namespace deletes its contents
  'serviceaccount-controller', // a "default" ServiceAccount in every namespace
  'serviceaccount-token-controller', // tokens for service-account-token Secrets
  'root-ca-certificate-publisher-controller', // kube-root-ca.crt ConfigMap in every namespace
  'deployment-controller', // a Deployment's ReplicaSets and its status (available replicas)
  'replicaset-controller', // a ReplicaSet's pods, never scheduled (no scheduler, no kubelet)
];

function ldflags(cfg) {
  const v = cfg.versions.kubernetes;
  const [major, minor] = v.split('.');
  const parts = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    parts.push(
      `-X ${pkg}.gitVersion=v${v}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.buildDate=2000-01-01T00:00:00Z`,
    );
  }
  return parts.join(' ');
}

function bin(cfg, name) {
  return path.join(cfg.kubeBinDir, name);
}

// ---------------------------------------------------------------- toolchain + build

/** The Go build of the Kubernetes and etcd binaries (see util.cjs goBuild). */
function goBuildSpec(cfg) {
  return {
    component: 'kube',
    what: `Kubernetes ${cfg.versions.kubernetes}`,
    moduleDir: GO_MODULE_DIR,
    cacheDir: cfg.kubeCacheDir,
    binDir: cfg.kubeBinDir,
    ldflags: ldflags(cfg),
    binaries: BINARIES.map(([name, pkg]) => [
      name,
      pkg,
      name === 'etcd' ? cfg.versions.etcd : cfg.versions.kubernetes,
    ]),
  };
}

function preflight(cfg) {
  u.goPreflight(goBuildSpec(cfg));
  if (!u.which('openssl') && !haveCerts(cfg)) {
    throw new u.TestenvError(
      'kube: "openssl" is needed to generate the test certificates but is not on PATH; install it: apt-get install -y openssl',
    );
  }
}

function build(cfg) {
  return u.goBuild(goBuildSpec(cfg));
}

/** True when every binary is there (startComponent runs them without building). */
function binariesBuilt(cfg) {
  return BINARIES.every(([name]) => u.isExecutable(bin(cfg, name)));
}

// ---------------------------------------------------------------- certificates

const CERT_FILES = [
  'ca.crt',
  'ca.key',
  'apiserver.crt',
  'apiserver.key',
  'admin.crt',
  'admin.key',
  'kcm.crt',
  'kcm.key',
  'sa.key',
  'sa.pub',
];

function haveCerts(cfg) {
  return CERT_FILES.every((f) => fs.existsSync(path.join(cfg.certDir, f)));
}

async function ensureCerts(cfg) {
  if (haveCerts(cfg)) return;
  const t0 = Date.now();
  const dir = cfg.certDir;
  u.rmrf(dir);
  u.mkdirp(dir, 0o700);
  const ssl = (args) => u.run('openssl', args, { cwd: dir, what: `openssl ${args[0]}` });
  await ssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=anvil-testenv-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const leaf = async (name, subj, ext) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    await ssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subj,
    ]);
    await ssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      `0x${crypto.randomBytes(8).toString('hex')}`,
      '-days',
      '3650',
      '-out',
      `${name}.crt`,
      '-extfile',
      `${name}.ext`,
    ]);
    fs.rmSync(path.join(dir, `${name}.csr`));
    fs.rmSync(path.join(dir, `${name}.ext`));
  };
  await leaf(
    'apiserver',
    '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n',
  );
  const client =
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';
  await leaf('admin', '/O=system:masters/CN=anvil-admin', client);
  await leaf('kcm', '/CN=system:kube-controller-manager', client);
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }), {
    mode: 0o600,
  });
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  u.log('kube', `generated CA, serving, client and service-account keys in ${u.elapsed(t0)}s`);
}

const b64 = (file) => fs.readFileSync(file).toString('base64');

/** A kubeconfig (YAML) for the test API server with either a client cert or a bearer token. */
function kubeconfigText(cfg, { user, clientCert, clientKey, token, namespace }) {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: anvil-testenv',
    '  cluster:',
    `    server: ${cfg.kubeApiserverUrl}`,
    `    certificate-authority-data: ${b64(path.join(cfg.certDir, 'ca.crt'))}`,
    'users:',
    `- name: ${user}`,
    '  user:',
  ];
  if (token) lines.push(`    token: ${token}`);
  else
    lines.push(
      `    client-certificate-data: ${b64(clientCert)}`,
      `    client-key-data: ${b64(clientKey)}`,
    );
  lines.push(
    'contexts:',
    `- name: ${user}@anvil-testenv`,
    '  context:',
    '    cluster: anvil-testenv',
    `    user: ${user}`,
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    `current-context: ${user}@anvil-testenv`,
    '',
  );
  return lines.join('\n');
}

function writeKubeconfigs(cfg) {
  u.mkdirp(cfg.kubeDir);
  const c = (f) => path.join(cfg.certDir, f);
  u.writeFileAtomic(
    cfg.kubeconfig,
    kubeconfigText(cfg, {
      user: 'anvil-admin',
      clientCert: c('admin.crt'),
      clientKey: c('admin.key'),
    }),
    0o600,
  );
  u.writeFileAtomic(
    path.join(cfg.kubeDir, 'controller-manager.kubeconfig'),
    kubeconfigText(cfg, {
      user: 'system:kube-controller-manager',
      clientCert: c('kcm.crt'),
      clientKey: c('kcm.key'),
    }),
    0o600,
  );
}

// ---------------------------------------------------------------- HTTP helpers

function adminTls(cfg) {
  const c = (f) => fs.readFileSync(path.join(cfg.certDir, f));
  return { ca: c('ca.crt'), cert: c('admin.crt'), key: c('admin.key') };
}

/**
 * One request to the test API server as the admin (system:masters).
 * Resolves with { status, body } (body parsed as JSON when possible); never throws on HTTP status.
 */
function kubeRequest(method, urlPath, body, cfg = load()) {
  return new Promise((resolve, reject) => {
    const data =
      body === undefined
        ? undefined
        : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = https.request(
      `${cfg.kubeApiserverUrl}${urlPath}`,
      {
        method,
        ...adminTls(cfg),
        timeout: 15000,
        headers: {
          Accept: 'application/json',
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// ---------------------------------------------------------------- components

function etcdArgs(cfg) {
  const { host, ports } = cfg;
  const client = `http://${host}:${ports.etcd}`;
  const peer = `http://${host}:${ports.etcdPeer}`;
  return [
    '--name=anvil-testenv',
    `--data-dir=${cfg.etcdDataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=anvil-testenv=${peer}`,
    '--initial-cluster-state=new',
    '--unsafe-no-fsync=true',
    '--quota-backend-bytes=4294967296',
    '--log-level=warn',
  ];
}

function apiserverArgs(cfg) {
  const c = (f) => path.join(cfg.certDir, f);
  return [
    `--etcd-servers=http://${cfg.host}:${cfg.ports.etcd}`,
    `--advertise-address=${cfg.host}`,
    `--bind-address=${cfg.host}`,
    `--secure-port=${cfg.ports.kubeApiserver}`,
    `--cert-dir=${path.join(cfg.kubeDir, 'apiserver-certs')}`,
    `--tls-cert-file=${c('apiserver.crt')}`,
    `--tls-private-key-file=${c('apiserver.key')}`,
    `--client-ca-file=${c('ca.crt')}`,
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.0.0.0/24',
    `--service-account-issuer=${cfg.kubeApiserverUrl}`,
    `--service-account-key-file=${c('sa.pub')}`,
    `--service-account-signing-key-file=${c('sa.key')}`,
    '--allow-privileged=true',
    '--profiling=false',
    '--v=1',
  ];
}

function kcmArgs(cfg) {
  const c = (f) => path.join(cfg.certDir, f);
  return [
    `--kubeconfig=${path.join(cfg.kubeDir, 'controller-manager.kubeconfig')}`,
    `--bind-address=${cfg.host}`,
    `--secure-port=${cfg.ports.kubeControllerManager}`,
    `--cert-dir=${path.join(cfg.kubeDir, 'kcm-certs')}`,
    `--controllers=${KCM_CONTROLLERS.join(',')}`,
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${c('sa.key')}`,
    `--root-ca-file=${c('ca.crt')}`,
    '--leader-elect=false',
    '--profiling=false',
    '--v=1',
  ];
}

async function etcdHealthy(cfg) {
  try {
    const r = await u.httpGet(`http://${cfg.host}:${cfg.ports.etcd}/health`);
    return r.status === 200 && /"health":\s*"true"/.test(r.body);
  } catch {
    return false;
  }
}

async function apiserverReady(cfg) {
  try {
    const r = await u.httpGet(`${cfg.kubeApiserverUrl}/readyz`, adminTls(cfg));
    return r.status === 200;
  } catch {
    return false;
  }
}

async function kcmHealthy(cfg) {
  try {
    const r = await u.httpGet(`https://${cfg.host}:${cfg.ports.kubeControllerManager}/healthz`, {
      rejectUnauthorized: false,
    });
    return r.status === 200;
  } catch {
    return false;
  }
}

function component(
  name,
  {
    binary,
    args,
    marker,
    healthy,
    ports,
    dataDirs = [],
    timeoutMs = 60000,
    stopTimeoutMs = 10000,
    before,
  },
) {
  return {
    name,
    group: 'kube',
    stopTimeoutMs,
    // a string only this checkout's process has on its command line
    marker,
    ports: (cfg) => ports(cfg),
    dataDirs,
    healthy,
    endpoint: (cfg) =>
      ports(cfg)
        .map(([, p]) => `${cfg.host}:${p}`)
        .join(', '),
    async start(cfg, { fresh }) {
      if (fresh) for (const d of dataDirs) u.rmrf(d(cfg));
      if (before) await before(cfg);
      const log = path.join(cfg.logDir, `${name}.log`);
      if (fresh) u.rmrf(log);
      const t0 = Date.now();
      u.log(name, 'starting');
      const pid = u.startDetached(cfg, name, bin(cfg, binary), args(cfg), {
        cwd: cfg.stateDir,
        logFile: log,
      });
      await u.waitFor(name, () => healthy(cfg), { pid, logFile: log, timeoutMs });
      u.log(name, `ready on ${this.endpoint(cfg)} (pid ${pid}) after ${u.elapsed(t0)}s`);
      return pid;
    },
  };
}

const etcd = component('etcd', {
  binary: 'etcd',
  args: etcdArgs,
  marker: (cfg) => `--data-dir=${cfg.etcdDataDir}`,
  healthy: etcdHealthy,
  ports: (cfg) => [
    ['etcd client', cfg.ports.etcd, 'TESTENV_ETCD_PORT'],
    ['etcd peer', cfg.ports.etcdPeer, 'TESTENV_ETCD_PEER_PORT'],
  ],
  dataDirs: [(cfg) => cfg.etcdDataDir],
});

const kubeApiserver = component('kube-apiserver', {
  binary: 'kube-apiserver',
  args: apiserverArgs,
  marker: (cfg) => `--cert-dir=${path.join(cfg.kubeDir, 'apiserver-certs')}`,
  healthy: apiserverReady,
  ports: (cfg) => [['kube-apiserver', cfg.ports.kubeApiserver, 'TESTENV_KUBE_PORT']],
  timeoutMs: 90000,
  // after SIGTERM it stops listening at once but can linger ~60s on open watches
  stopTimeoutMs: 3000,
  before: async (cfg) => {
    await ensureCerts(cfg);
    writeKubeconfigs(cfg);
  },
});

const kubeControllerManager = component('kube-controller-manager', {
  binary: 'kube-controller-manager',
  args: kcmArgs,
  marker: (cfg) => `--kubeconfig=${path.join(cfg.kubeDir, 'controller-manager.kubeconfig')}`,
  healthy: kcmHealthy,
  ports: (cfg) => [
    ['kube-controller-manager', cfg.ports.kubeControllerManager, 'TESTENV_KCM_PORT'],
  ],
  stopTimeoutMs: 3000,
  before: async (cfg) => {
    await ensureCerts(cfg);
    writeKubeconfigs(cfg);
  },
});

// ---------------------------------------------------------------- service-account kubeconfigs

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

async function ensureObject(collectionPath, obj, cfg) {
  const r = await kubeRequest('POST', collectionPath, obj, cfg);
  if (r.status === 201 || r.status === 200 || r.status === 409) return;
  throw new u.TestenvError(
    `creating ${obj.kind} ${obj.metadata.name} failed: HTTP ${r.status} ${r.body?.message || JSON.stringify(r.body)}`,
  );
}

/**
 * Creates (if missing) namespace `namespace` and ServiceAccount `serviceAccount` in it,
 * mints a token for it with the TokenRequest API and writes a kubeconfig that
 * authenticates as that ServiceAccount (and nothing else) to `outFile`.
 * Resolves with { kubeconfig: <abs path>, token, username }.
 */
async function saKubeconfig(
  namespace,
  serviceAccount,
  outFile,
  { expirationSeconds = 86400 } = {},
) {
  const cfg = load();
  for (const [what, v] of [
    ['namespace', namespace],
    ['service account', serviceAccount],
  ]) {
    if (typeof v !== 'string' || v.length > 63 || !DNS1123.test(v)) {
      throw new u.TestenvError(
        `${what} ${JSON.stringify(v)} is not a valid name (lowercase letters, digits and "-", at most 63 characters)`,
      );
    }
  }
  if (!outFile) throw new u.TestenvError('sa-kubeconfig: an output file is required');
  if (!haveCerts(cfg) || !(await apiserverReady(cfg))) {
    throw new u.TestenvError(
      'the test API server is not running; start it with: npm run testenv:up',
    );
  }
  await ensureObject(
    '/api/v1/namespaces',
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    cfg,
  );
  await ensureObject(
    `/api/v1/namespaces/${namespace}/serviceaccounts`,
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace } },
    cfg,
  );
  const r = await kubeRequest(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } },
    cfg,
  );
  if (r.status !== 201 || !r.body?.status?.token) {
    throw new u.TestenvError(
      `TokenRequest for ${namespace}/${serviceAccount} failed: HTTP ${r.status} ${r.body?.message || ''}`,
    );
  }
  const token = r.body.status.token;
  const username = `system:serviceaccount:${namespace}:${serviceAccount}`;
  const abs = path.resolve(outFile);
  u.mkdirp(path.dirname(abs));
  u.writeFileAtomic(abs, kubeconfigText(cfg, { user: username, token, namespace }), 0o600);
  return { kubeconfig: abs, token, username };
}

module.exports = {
  components: [etcd, kubeApiserver, kubeControllerManager],
  preflight,
  prepare: build,
  build,
  binariesBuilt,
  ensureCerts,
  writeKubeconfigs,
  kubeRequest,
  saKubeconfig,
  apiserverReady,
  kubectlPath: (cfg = load()) => bin(cfg, 'kubectl'),
  BINARIES,
  KCM_CONTROLLERS,
  ldflags,
};
