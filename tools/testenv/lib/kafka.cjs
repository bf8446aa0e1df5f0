'use strict';
// Apache Kafka (KRaft, one combined broker+controller) from Maven Central jars,
// run on the machine's Java (17+).
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const u = require('./util.cjs');

const POM = path.join(__dirname, '..', 'kafka', 'pom.xml');

function findJava() {
  const home = process.env.JAVA_HOME;
  if (home && u.isExecutable(path.join(home, 'bin', 'java'))) return path.join(home, 'bin', 'java');
  return u.which('java');
}

function pomHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
}

function stampFile(cfg) {
  return path.join(cfg.kafkaCacheDir, 'libs.stamp');
}

function jarsCached(cfg) {
  try {
    return (
      fs.readFileSync(stampFile(cfg), 'utf8').trim() === pomHash() &&
      fs.readdirSync(cfg.kafkaLibDir).some((f) => f.startsWith('kafka_2.13-'))
    );
  } catch {
    return false;
  }
}

function classpath(cfg) {
  return path.join(cfg.kafkaLibDir, '*');
}

function preflight(cfg) {
  const java = findJava();
  if (!java) {
    throw new u.TestenvError(
      'kafka: Java 17 (or 11+) is needed to run Kafka but "java" is not on PATH and JAVA_HOME is not set; install it: apt-get install -y openjdk-17-jre-headless',
    );
  }
  const ver = require('node:child_process').spawnSync(java, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${ver.stderr}${ver.stdout}`);
  const major = m ? (Number(m[1]) === 1 ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 11) {
    throw new u.TestenvError(
      `kafka: Kafka ${cfg.versions.kafka} needs Java 11 or newer (17 recommended); ${java} is ${m ? m[0] : 'an unknown version'}; install openjdk-17-jre-headless or set JAVA_HOME`,
    );
  }
  if (!jarsCached(cfg) && !u.which('mvn')) {
    throw new u.TestenvError(
      `kafka: Maven ("mvn") is needed once to download the Kafka ${cfg.versions.kafka} jars from Maven Central but is not on PATH; install it: apt-get install -y maven`,
    );
  }
}

async function fetchJars(cfg) {
  if (jarsCached(cfg)) {
    u.log('kafka', `jars cached in ${cfg.kafkaLibDir}`);
    return;
  }
  const t0 = Date.now();
  u.log(
    'kafka',
    `downloading Kafka ${cfg.versions.kafka} jars from Maven Central (mvn dependency:copy-dependencies)`,
  );
  u.mkdirp(cfg.kafkaCacheDir);
  const tmp = path.join(cfg.kafkaCacheDir, `libs.tmp-${process.pid}`);
  u.rmrf(tmp);
  try {
    await u.run(
      'mvn',
      ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`],
      {
        cwd: path.dirname(POM),
        what: 'mvn dependency:copy-dependencies (Kafka jars)',
        heartbeat: (s) => u.log('kafka', `still downloading jars (${s}s)`),
      },
    );
    u.rmrf(cfg.kafkaLibDir);
    fs.renameSync(tmp, cfg.kafkaLibDir);
  } finally {
    u.rmrf(tmp);
  }
  fs.writeFileSync(stampFile(cfg), `${pomHash()}\n`);
  const n = fs.readdirSync(cfg.kafkaLibDir).length;
  u.log('kafka', `downloaded ${n} jars in ${u.elapsed(t0)}s`);
}

function serverProperties(cfg) {
  const { host, ports } = cfg;
  return [
    '# Written by tools/testenv (regenerated on every start).',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${ports.kafkaController}`,
    `listeners=PLAINTEXT://${host}:${ports.kafka},CONTROLLER://${host}:${ports.kafkaController}`,
    `advertised.listeners=PLAINTEXT://${host}:${ports.kafka}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${path.join(cfg.kafkaDir, 'data')}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.hours=24',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

function propsFile(cfg) {
  return path.join(cfg.kafkaDir, 'server.properties');
}

function jvmArgs(cfg) {
  const heap = process.env.TESTENV_KAFKA_HEAP || '512m';
  return [
    `-Xmx${heap}`,
    '-Xms128m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${path.join(cfg.kafkaDir, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${path.join(cfg.kafkaDir, 'logs')}`,
    '-cp',
    classpath(cfg),
  ];
}

/** Sends a Metadata v0 request; resolves with the number of live brokers (0 while starting). */
function metadataBrokers(host, port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('anvil-testenv');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
    let o = 0;
    o = body.writeInt16BE(3, o); // api_key Metadata
    o = body.writeInt16BE(0, o); // api_version 0
    o = body.writeInt32BE(42, o); // correlation id
    o = body.writeInt16BE(clientId.length, o);
    o += clientId.copy(body, o);
    body.writeInt32BE(0, o); // topics: [] (all)
    const frame = Buffer.concat([Buffer.alloc(4), body]);
    frame.writeInt32BE(body.length, 0);
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const fail = (err) => {
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(timeoutMs, () => fail(new Error('metadata request timed out')));
    sock.on('error', fail);
    sock.on('connect', () => sock.write(frame));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const size = buf.readInt32BE(0);
      if (buf.length < 4 + size) return;
      sock.destroy();
      if (buf.readInt32BE(4) !== 42) return reject(new Error('bad correlation id'));
      resolve(buf.readInt32BE(8));
    });
    sock.on('end', () => fail(new Error('connection closed')));
  });
}

async function healthy(cfg) {
  try {
    return (await metadataBrokers(cfg.host, cfg.ports.kafka)) > 0;
  } catch {
    return false;
  }
}

function clusterId() {
  // Kafka's Uuid: 16 random bytes, base64url without padding (avoid the reserved
  // all-zero and "1" ids, which a random value never is in practice). Like Kafka's own
  // Uuid.randomUuid, never one that starts with "-": the format tool reads it as an option and
  // fails ("--cluster-id expected one argument"), which 1 in 64 testenv starts did.
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const kafka = {
  name: 'kafka',
  group: 'kafka',
  stopTimeoutMs: 30000,
  marker: (cfg) => propsFile(cfg),
  ports: (cfg) => [
    ['Kafka broker', cfg.ports.kafka, 'TESTENV_KAFKA_PORT'],
    ['Kafka controller', cfg.ports.kafkaController, 'TESTENV_KAFKA_CONTROLLER_PORT'],
  ],
  healthy,
  endpoint: (cfg) => `${cfg.host}:${cfg.ports.kafka}`,
  async start(cfg, { fresh }) {
    const java = findJava();
    const log = path.join(cfg.logDir, 'kafka.log');
    if (fresh) {
      u.rmrf(cfg.kafkaDir);
      u.rmrf(log);
    }
    u.mkdirp(path.join(cfg.kafkaDir, 'logs'));
    u.mkdirp(cfg.logDir);
    fs.writeFileSync(propsFile(cfg), serverProperties(cfg));
    fs.writeFileSync(path.join(cfg.kafkaDir, 'log4j.properties'), LOG4J);
    const t0 = Date.now();
    if (!fs.existsSync(path.join(cfg.kafkaDir, 'data', 'meta.properties'))) {
      u.log('kafka', 'formatting KRaft storage');
      await u.run(
        java,
        [
          ...jvmArgs(cfg),
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId(),
          '-c',
          propsFile(cfg),
          '--ignore-formatted',
        ],
        {
          what: 'kafka StorageTool format',
        },
      );
    }
    u.log('kafka', `starting broker+controller (Kafka ${cfg.versions.kafka}, KRaft)`);
    const pid = u.startDetached(
      cfg,
      'kafka',
      java,
      [...jvmArgs(cfg), 'kafka.Kafka', propsFile(cfg)],
      { cwd: cfg.kafkaDir, logFile: log },
    );
    await u.waitFor('kafka', () => healthy(cfg), {
      pid,
      logFile: log,
      timeoutMs: 90000,
      intervalMs: 500,
    });
    u.log('kafka', `ready on ${cfg.host}:${cfg.ports.kafka} (pid ${pid}) after ${u.elapsed(t0)}s`);
    return pid;
  },
};

module.exports = {
  components: [kafka],
  clusterId,
  preflight,
  prepare: fetchJars,
  classpath,
  findJava,
  metadataBrokers,
};
