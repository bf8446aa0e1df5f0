// Command-line options and environment of `npm start` (docs/embedded.md lists them).
import * as path from 'node:path';
import { ROOT } from './workspace';

export const HELP = `Usage: npm start -- [options]      (or: node tools/embedded/start.cjs [options])

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
  --replicas N      physics engine replicas per physics module, 1..4 [ANVIL_REPLICAS];
                    default 1. With 2 or more, a world whose replica stops (the page's Stop
                    button) is taken over by another one and goes on there
  --no-build        do not run the Nx build first [ANVIL_NO_BUILD=1]
  --no-watch        do not reload when a YAML file changes [ANVIL_NO_WATCH=1]
  --verbose         the apps' info logs too [ANVIL_VERBOSE=1]
  -h, --help        this text
`;

/** What the host runs with. */
export interface Options {
  manifests: string;
  port: number;
  gatewayPort: number;
  host: string;
  data: string;
  freePorts: boolean;
  bots: number;
  props: number;
  checkpointTicks: number | undefined;
  /** Physics engine replicas per physics module (1..MAX_REPLICAS). */
  replicas: number;
  build: boolean;
  watch: boolean;
  verbose: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

type Env = Record<string, string | undefined>;

const truthy = (value: string | undefined) =>
  value !== undefined && value !== '' && value !== '0' && value !== 'false';

function port(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`${name} must be a port number 0..65535, got "${value}"`);
  return n;
}

function count(value: string, name: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new UsageError(`${name} must be an integer 0..${max}, got "${value}"`);
  return n;
}

/** Physics replicas at most: each is a whole physics engine (Nest app, Rapier) in this process. */
export const MAX_REPLICAS = 4;

function replicaCount(value: string, name: string): number {
  const n = /^\d{1,2}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_REPLICAS))
    throw new UsageError(
      `${name} must be the number of physics engine replicas, an integer 1..${MAX_REPLICAS}, got "${value}"`,
    );
  return n;
}

const MAX_BOTS = 50;
const MAX_PROPS = 500;
const MAX_CHECKPOINT_TICKS = 100_000_000;

function fromEnv(env: Env): Options {
  return {
    manifests: env.ANVIL_MANIFESTS || path.join(ROOT, 'deploy', 'examples'),
    port: env.ANVIL_PORT ? port(env.ANVIL_PORT, 'ANVIL_PORT') : 8080,
    gatewayPort: env.ANVIL_GATEWAY_PORT ? port(env.ANVIL_GATEWAY_PORT, 'ANVIL_GATEWAY_PORT') : 3000,
    host: env.ANVIL_HOST || '127.0.0.1',
    data: env.ANVIL_DATA || path.join(ROOT, '.anvil-data'),
    freePorts: truthy(env.ANVIL_FREE_PORTS),
    bots: env.ANVIL_BOTS ? count(env.ANVIL_BOTS, 'ANVIL_BOTS', MAX_BOTS) : 3,
    props: env.ANVIL_PROPS ? count(env.ANVIL_PROPS, 'ANVIL_PROPS', MAX_PROPS) : 12,
    checkpointTicks: env.ANVIL_CHECKPOINT_TICKS
      ? count(env.ANVIL_CHECKPOINT_TICKS, 'ANVIL_CHECKPOINT_TICKS', MAX_CHECKPOINT_TICKS)
      : undefined,
    replicas: env.ANVIL_REPLICAS ? replicaCount(env.ANVIL_REPLICAS, 'ANVIL_REPLICAS') : 1,
    build: !truthy(env.ANVIL_NO_BUILD),
    watch: !truthy(env.ANVIL_NO_WATCH),
    verbose: truthy(env.ANVIL_VERBOSE),
    help: false,
  };
}

/** Parses argv (without node and script) and the environment into the host's options; throws UsageError. */
export function parseOptions(argv: readonly string[], env: Env = process.env): Options {
  const o = fromEnv(env);
  let gatewayPortSet = Boolean(env.ANVIL_GATEWAY_PORT);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
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
        gatewayPortSet = true;
        break;
      case '--host':
        o.host = value();
        break;
      case '--data':
        o.data = value();
        break;
      case '--bots':
        o.bots = count(value(), '--bots', MAX_BOTS);
        break;
      case '--props':
        o.props = count(value(), '--props', MAX_PROPS);
        break;
      case '--checkpoint-ticks':
        o.checkpointTicks = count(value(), '--checkpoint-ticks', MAX_CHECKPOINT_TICKS);
        break;
      case '--replicas':
        o.replicas = replicaCount(value(), '--replicas');
        break;
      default:
        if (!setSwitch(o, flag)) throw new UsageError(`unknown option ${arg} (see --help)`);
    }
  }
  o.manifests = path.resolve(o.manifests);
  o.data = path.resolve(o.data);
  if (o.freePorts && !gatewayPortSet) o.gatewayPort = 0;
  return o;
}

/** Applies an option without a value; false when `flag` is none. */
function setSwitch(o: Options, flag: string): boolean {
  if (flag === '--free-ports') o.freePorts = true;
  else if (flag === '--no-build') o.build = false;
  else if (flag === '--no-watch') o.watch = false;
  else if (flag === '--verbose') o.verbose = true;
  else if (flag === '-h' || flag === '--help') o.help = true;
  else return false;
  return true;
}
