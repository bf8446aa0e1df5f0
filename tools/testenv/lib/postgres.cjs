'use strict';
// PostgreSQL from the Debian packages, with its own data folder, on 127.0.0.1 only.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const u = require('./util.cjs');

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function findPgBin() {
  const override = process.env.TESTENV_PG_BIN;
  if (override) return u.isExecutable(path.join(override, 'initdb')) ? override : null;
  const base = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = fs
      .readdirSync(base)
      .filter(
        (v) =>
          u.isExecutable(path.join(base, v, 'bin', 'initdb')) &&
          u.isExecutable(path.join(base, v, 'bin', 'postgres')),
      );
  } catch {
    /* not installed */
  }
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length > 0) return path.join(base, versions[0], 'bin');
  const initdb = u.which('initdb');
  return initdb && u.isExecutable(path.join(path.dirname(initdb), 'postgres'))
    ? path.dirname(initdb)
    : null;
}

/** uid/gid of the OS user that runs the server: "postgres" when we are root, else ourselves. */
function serverUser() {
  if (!isRoot()) return {};
  let line;
  try {
    line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
  } catch {
    /* no passwd */
  }
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function canServerUserUse(dir, user) {
  if (user.uid === undefined) return true;
  // `test -x` as that user fails when any ancestor of dir is not traversable by it.
  const r = spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid });
  return r.status === 0;
}

/**
 * Where the cluster lives: <repo>/.testenv/postgres, unless the server user (postgres,
 * when running as root) cannot reach that folder (e.g. the repo is under /root); then
 * <tmpdir>/anvil-testenv-<uid>-<repo hash>/postgres. The choice is remembered in
 * .testenv/postgres.location so `down` removes the right folder.
 */
function pgRoot(cfg, { choose = false } = {}) {
  const marker = path.join(cfg.stateDir, 'postgres.location');
  if (!choose) {
    try {
      return fs.readFileSync(marker, 'utf8').trim();
    } catch {
      return path.join(cfg.stateDir, 'postgres');
    }
  }
  const user = serverUser() || {};
  u.mkdirp(cfg.stateDir);
  let root = path.join(cfg.stateDir, 'postgres');
  if (!canServerUserUse(cfg.stateDir, user)) {
    const hash = crypto.createHash('sha256').update(cfg.repoRoot).digest('hex').slice(0, 8);
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
    const tmpBase = path.join(os.tmpdir(), `anvil-testenv-${uid}-${hash}`);
    u.mkdirp(tmpBase, 0o755);
    fs.chmodSync(tmpBase, 0o755);
    root = path.join(tmpBase, 'postgres');
  }
  fs.writeFileSync(marker, `${root}\n`);
  return root;
}

const dataDir = (cfg) => path.join(pgRoot(cfg), 'data');

function aptCommand() {
  return 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql';
}

function preflight() {
  if (!findPgBin()) {
    if (!isRoot()) {
      throw new u.TestenvError(
        `postgres: PostgreSQL server binaries (initdb, postgres) were not found in /usr/lib/postgresql/*/bin; install them: sudo sh -c '${aptCommand()}' (or set TESTENV_PG_BIN to a folder holding initdb)`,
      );
    }
    if (!u.which('apt-get')) {
      throw new u.TestenvError(
        'postgres: PostgreSQL server binaries were not found and apt-get is not available; install PostgreSQL and set TESTENV_PG_BIN to the folder holding initdb and postgres',
      );
    }
  }
  if (isRoot() && !serverUser()) {
    throw new u.TestenvError(
      'postgres: running as root, but there is no "postgres" OS user to run the server as (PostgreSQL refuses to run as root); create it: useradd --system --user-group --home-dir /var/lib/postgresql postgres',
    );
  }
}

async function prepare() {
  if (findPgBin()) {
    u.log('postgres', `using ${findPgBin()}`);
    return;
  }
  const t0 = Date.now();
  u.log('postgres', 'installing the Debian package "postgresql" (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await u.run('apt-get', ['update'], { env, what: 'apt-get update' });
  await u.run('apt-get', ['install', '-y', 'postgresql'], {
    env,
    what: 'apt-get install postgresql',
    heartbeat: (s) => u.log('postgres', `still installing (${s}s)`),
  });
  if (!findPgBin())
    throw new u.TestenvError(
      'postgres: apt-get installed "postgresql" but initdb is still not in /usr/lib/postgresql/*/bin',
    );
  u.log('postgres', `installed in ${u.elapsed(t0)}s`);
}

async function healthy(cfg) {
  const bin = findPgBin();
  if (!bin) return false;
  const r = await u.run(
    path.join(bin, 'pg_isready'),
    ['-q', '-h', cfg.host, '-p', String(cfg.ports.postgres), '-t', '2'],
    { check: false },
  );
  return r.code === 0;
}

function psql(cfg, sql) {
  const bin = findPgBin();
  return u.run(
    path.join(bin, 'psql'),
    [
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      cfg.host,
      '-p',
      String(cfg.ports.postgres),
      '-U',
      cfg.database.superuser,
      '-d',
      'postgres',
      '-c',
      sql,
    ],
    {
      env: { ...process.env, PGPASSWORD: cfg.database.superPassword, PGCONNECT_TIMEOUT: '5' },
      what: 'psql (creating the test role and database)',
    },
  );
}

async function initCluster(cfg, user) {
  const bin = findPgBin();
  const root = pgRoot(cfg, { choose: true });
  u.rmrf(root);
  u.mkdirp(root, 0o700);
  const pwfile = path.join(root, 'superuser.pw');
  fs.writeFileSync(pwfile, `${cfg.database.superPassword}\n`, { mode: 0o600 });
  if (user.uid !== undefined) {
    fs.chownSync(root, user.uid, user.gid);
    fs.chownSync(pwfile, user.uid, user.gid);
  }
  u.log('postgres', `initdb in ${root}`);
  try {
    await u.run(
      path.join(bin, 'initdb'),
      [
        '-D',
        path.join(root, 'data'),
        '-U',
        cfg.database.superuser,
        `--pwfile=${pwfile}`,
        '--auth-local=peer',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      { cwd: root, uid: user.uid, gid: user.gid, what: 'initdb' },
    );
  } finally {
    u.rmrf(pwfile);
  }
  fs.appendFileSync(
    path.join(root, 'data', 'postgresql.conf'),
    [
      '',
      '# tools/testenv',
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 200',
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      '',
    ].join('\n'),
  );
}

const postgres = {
  name: 'postgres',
  group: 'postgres',
  marker: (cfg) => dataDir(cfg),
  stopSignal: 'SIGINT', // fast shutdown
  killGroup: false,
  ports: (cfg) => [['PostgreSQL', cfg.ports.postgres, 'TESTENV_PG_PORT']],
  healthy,
  endpoint: (cfg) => `${cfg.host}:${cfg.ports.postgres}`,
  async start(cfg, { fresh }) {
    const user = serverUser() || {};
    const log = path.join(cfg.logDir, 'postgres.log');
    if (fresh) u.rmrf(log);
    if (fresh || !fs.existsSync(path.join(dataDir(cfg), 'PG_VERSION')))
      await initCluster(cfg, user);
    // a postmaster.pid left by a killed server would block the start
    const stalePid = path.join(dataDir(cfg), 'postmaster.pid');
    if (fs.existsSync(stalePid)) {
      const pid = Number(fs.readFileSync(stalePid, 'utf8').split('\n')[0]);
      if (!u.isOurProcess(pid, dataDir(cfg))) fs.rmSync(stalePid, { force: true });
    }
    const t0 = Date.now();
    u.log('postgres', 'starting');
    const pid = u.startDetached(
      cfg,
      'postgres',
      path.join(findPgBin(), 'postgres'),
      ['-D', dataDir(cfg), '-p', String(cfg.ports.postgres)],
      {
        cwd: pgRoot(cfg),
        uid: user.uid,
        gid: user.gid,
        logFile: log,
      },
    );
    await u.waitFor('postgres', () => healthy(cfg), { pid, logFile: log, timeoutMs: 60000 });
    const { name, user: role, password } = cfg.database;
    await psql(
      cfg,
      `DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password}'; END IF; END$$;`,
    );
    const exists = await psql(cfg, `SELECT 1 FROM pg_database WHERE datname = '${name}'`);
    if (exists.stdout.trim() !== '1') await psql(cfg, `CREATE DATABASE ${name} OWNER ${role}`);
    u.log(
      'postgres',
      `ready on ${cfg.host}:${cfg.ports.postgres} (pid ${pid}) after ${u.elapsed(t0)}s`,
    );
    return pid;
  },
};

module.exports = { components: [postgres], preflight, prepare, findPgBin, pgRoot, dataDir };
