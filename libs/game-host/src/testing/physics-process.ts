// Test support for game modules: a real physics engine as a child process from its build (apps
// never import each other, tests included). Build it first: `npx nx run physics-engine:build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ENGINE_SERVICE_NAME,
  checkEngineHealth,
  engineChannelCredentials,
  freePort,
} from '@anvil/engine-contract';

// libs/game-host/{src,dist}/testing -> the repository's apps/physics-engine.
const MAIN = join(__dirname, '..', '..', '..', '..', 'apps', 'physics-engine', 'dist', 'main.js');

/** A physics engine process on loopback. */
export interface PhysicsProcess {
  address: string;
  /** Kills it (SIGKILL: an engine that crashed) and starts a fresh one on the same port. */
  restart(): Promise<void>;
  /** Kills it for good (SIGKILL). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the physics engine with manual ticks and the given ENGINE_TOKEN; `extra` adds or
 * overrides environment variables (a bus, storage, a replica id...).
 */
export async function startPhysics(
  engineToken: string,
  extra: Record<string, string> = {},
): Promise<PhysicsProcess> {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npx nx run physics-engine:build\``);
  const port = await freePort('127.0.0.1');
  const address = `127.0.0.1:${port}`;
  const env = {
    PATH: process.env['PATH'] ?? '',
    ENGINE_TOKEN: engineToken,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(port),
    TICK_MODE: 'manual',
    TICK_HZ: '60',
    ...extra,
  };
  let child = await serving(
    spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    address,
  );
  return {
    address,
    async restart() {
      await stop(child, 'SIGKILL');
      child = await serving(
        spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
        address,
      );
    },
    kill: () => stop(child, 'SIGKILL'),
    stop: () => stop(child, 'SIGTERM'),
  };
}

/** Resolves once the process answers SERVING on its health service (90 s at most). */
async function serving(child: ChildProcess, address: string): Promise<ChildProcess> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the physics engine exited with ${child.exitCode}:\n${output}`);
    const status = await checkEngineHealth(address, engineChannelCredentials(), {
      service: ENGINE_SERVICE_NAME,
      deadlineMs: 1_000,
    }).catch(() => undefined);
    if (status === 'SERVING') return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the physics engine did not serve within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
