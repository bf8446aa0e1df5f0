// Test support: runs the real physics and interaction engines as child processes from their
// builds (apps never import each other, tests included). Build them first:
//   npx nx run-many -t build -p physics-engine interaction-engine
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ENGINE_SERVICE_NAME,
  EngineClient,
  checkEngineHealth,
  engineChannelCredentials,
  freePort as freePortOn,
} from '@anvil/engine-contract';

const APPS = join(__dirname, '..', '..', '..');

/** The engine token of every test engine and of the gateways in front of them. */
export const TEST_ENGINE_TOKEN = 'gateway-tests-engine-token';

/** A free TCP port on loopback. */
export const freePort = (): Promise<number> => freePortOn('127.0.0.1');

/** One engine process. */
export interface EngineProcess {
  address: string;
  process: ChildProcess;
  /** Everything it printed (for failure messages). */
  output(): string;
}

/** Polls `check` until it resolves true, or fails after `timeoutMs`. */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function startEngine(
  app: 'physics-engine' | 'interaction-engine',
  env: Record<string, string>,
  port?: number,
): Promise<EngineProcess> {
  const main = join(APPS, app, 'dist', 'main.js');
  if (!existsSync(main))
    throw new Error(
      `${main} is missing: run \`npx nx run-many -t build -p physics-engine interaction-engine\` first`,
    );
  port ??= await freePort();
  let output = '';
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'] ?? '',
      ENGINE_TOKEN: TEST_ENGINE_TOKEN,
      ...env,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const address = `127.0.0.1:${port}`;
  try {
    await pollUntil(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${app} exited with ${child.exitCode}:\n${output}`);
        return (
          (await checkEngineHealth(address, engineChannelCredentials(), {
            service: ENGINE_SERVICE_NAME,
            deadlineMs: 1_000,
          })) === 'SERVING'
        );
      },
      90_000,
      `${app} to serve`,
      200,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${app} did not start: ${String(error)}\n${output}`);
  }
  return { address, process: child, output: () => output };
}

/** The two engines wired together. */
export interface Engines {
  physics: EngineProcess;
  interaction: EngineProcess;
  /** A client of the interaction engine (to create worlds). */
  client: EngineClient;
  /** Kills the interaction engine and starts a fresh one (no worlds) on the same address. */
  restartInteraction(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the physics engine, then the interaction engine pointing at it. */
export async function startEngines(
  env: {
    bus?: Record<string, string>;
    physics?: Record<string, string>;
    interaction?: Record<string, string>;
  } = {},
): Promise<Engines> {
  const physics = await startEngine('physics-engine', {
    TICK_HZ: '30',
    ...env.bus,
    ...env.physics,
  });
  let interaction: EngineProcess;
  try {
    interaction = await startEngine('interaction-engine', {
      PHYSICS_ENGINE_ADDRESS: physics.address,
      ...env.bus,
      ...env.interaction,
    });
  } catch (error) {
    physics.process.kill('SIGKILL');
    throw error;
  }
  const interactionEnv = {
    PHYSICS_ENGINE_ADDRESS: physics.address,
    ...env.bus,
    ...env.interaction,
  };
  const client = new EngineClient(interaction.address, {
    access: { token: TEST_ENGINE_TOKEN, caller: 'gateway-tests' },
  });
  const engines: Engines = {
    physics,
    interaction,
    client,
    async restartInteraction() {
      engines.interaction.process.kill('SIGKILL');
      await new Promise((resolve) => engines.interaction.process.once('exit', resolve));
      const port = Number(engines.interaction.address.split(':')[1]);
      engines.interaction = await startEngine('interaction-engine', interactionEnv, port);
    },
    async stop() {
      client.close();
      await Promise.all([engines.interaction, physics].map((e) => stopProcess(e.process)));
    },
  };
  return engines;
}

/** One more interaction engine process in front of `physicsAddress` (another game module). */
export function startInteractionEngine(
  physicsAddress: string,
  env: Record<string, string> = {},
): Promise<EngineProcess> {
  return startEngine('interaction-engine', {
    PHYSICS_ENGINE_ADDRESS: physicsAddress,
    BUS: 'memory',
    ...env,
  });
}

/** SIGTERM, then SIGKILL after 10 s. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
