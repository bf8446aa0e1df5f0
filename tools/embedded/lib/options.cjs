// Command-line options and environment of `npm start` (docs/embedded.md lists them).
const path = require('node:path');
const { ROOT } = require('./workspace.cjs');

const HELP = `Usage: npm start -- [options]      (or: node tools/embedded/start.cjs [options])

Runs the whole Anvil platform in one process: the manifests, games and worlds of a folder of
YAML, the physics and interaction engines, the gateway, an in-memory bus, PGlite storage and a
live web view with bot players.

Options (environment variable in brackets):
  --manifests DIR   folder of ModuleManifest/GameDefinition/WorldInstance YAML
                    [ANVIL_MANIFESTS]; default deploy/examples
  --port N          web view port [ANVIL_PORT]; default 8080; 0 picks a free port
  --gateway-port N  gateway (socket.io) port [ANVIL_GATEWAY_PORT]; default 3000
  --host ADDR       address the web view and gateway listen on [ANVIL_HOST]; default 127.0.0.1
  --data DIR        data folder (PGlite database, dev JWT secret) [ANVIL_DATA]; default .anvil-data
  --free-ports      engines and gateway on free ports instead of their endpoints' ports
                    [ANVIL_FREE_PORTS=1]
  --bots N          bot players per world [ANVIL_BOTS]; default 3; 0 for none
  --props N         crates and balls spawned per new world [ANVIL_PROPS]; default 12
  --checkpoint-ticks N
                    ticks between two checkpoints of a world [ANVIL_CHECKPOINT_TICKS];
                    default the physics engine's (300: 10 s at 30 Hz); 0 for none
  --no-build        do not run the Nx build first [ANVIL_NO_BUILD=1]
  --no-watch        do not reload when a YAML file changes [ANVIL_NO_WATCH=1]
  --verbose         the apps' info logs too [ANVIL_VERBOSE=1]
  -h, --help        this text
`;

class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

const truthy = (value) => value !== undefined && value !== '' && value !== '0' && value !== 'false';

function port(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`${name} must be a port number 0..65535, got "${value}"`);
  return n;
}

function count(value, name, max) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new UsageError(`${name} must be an integer 0..${max}, got "${value}"`);
  return n;
}

/** Parses argv (without node and script) and the environment into the host's options; throws UsageError. */
function parseOptions(argv, env = process.env) {
  const o = {
    manifests: env.ANVIL_MANIFESTS || path.join(ROOT, 'deploy', 'examples'),
    port:
      env.ANVIL_PORT !== undefined && env.ANVIL_PORT !== ''
        ? port(env.ANVIL_PORT, 'ANVIL_PORT')
        : 8080,
    gatewayPort: env.ANVIL_GATEWAY_PORT ? port(env.ANVIL_GATEWAY_PORT, 'ANVIL_GATEWAY_PORT') : 3000,
    host: env.ANVIL_HOST || '127.0.0.1',
    data: env.ANVIL_DATA || path.join(ROOT, '.anvil-data'),
    freePorts: truthy(env.ANVIL_FREE_PORTS),
    bots: env.ANVIL_BOTS ? count(env.ANVIL_BOTS, 'ANVIL_BOTS', 50) : 3,
    props: env.ANVIL_PROPS ? count(env.ANVIL_PROPS, 'ANVIL_PROPS', 500) : 12,
    checkpointTicks: env.ANVIL_CHECKPOINT_TICKS
      ? count(env.ANVIL_CHECKPOINT_TICKS, 'ANVIL_CHECKPOINT_TICKS', 100_000_000)
      : undefined,
    build: !truthy(env.ANVIL_NO_BUILD),
    watch: !truthy(env.ANVIL_NO_WATCH),
    verbose: truthy(env.ANVIL_VERBOSE),
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--manifests':
        o.manifests = value();
        break;
      case '--port':
        o.port = port(value(), '--port');
        break;
      case '--gateway-port':
        o.gatewayPort = port(value(), '--gateway-port');
        o.gatewayPortSet = true;
        break;
      case '--host':
        o.host = value();
        break;
      case '--data':
        o.data = value();
        break;
      case '--free-ports':
        o.freePorts = true;
        break;
      case '--bots':
        o.bots = count(value(), '--bots', 50);
        break;
      case '--props':
        o.props = count(value(), '--props', 500);
        break;
      case '--checkpoint-ticks':
        o.checkpointTicks = count(value(), '--checkpoint-ticks', 100_000_000);
        break;
      case '--no-build':
        o.build = false;
        break;
      case '--no-watch':
        o.watch = false;
        break;
      case '--verbose':
        o.verbose = true;
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg} (see --help)`);
    }
  }
  o.manifests = path.resolve(o.manifests);
  o.data = path.resolve(o.data);
  if (o.freePorts && !o.gatewayPortSet && !env.ANVIL_GATEWAY_PORT) o.gatewayPort = 0;
  delete o.gatewayPortSet;
  return o;
}

module.exports = { parseOptions, UsageError, HELP };
