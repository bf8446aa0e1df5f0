// Runs the built physics engine (dist/main.js) as a child process for integration tests, and
// reads a Kafka topic back with a plain kafkajs consumer (no Anvil code) in a process of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ENGINE_SERVICE_NAME,
  checkEngineHealth,
  engineChannelCredentials,
  freePort as freePortOn,
} from '@anvil/engine-contract';

export const TEST_ENGINE_TOKEN = 'command-log-int-engine-token';

/** A free TCP port on loopback. */
export const freePort = (): Promise<number> => freePortOn('127.0.0.1');

/** A physics engine process. */
export interface EngineProcess {
  address: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Starts dist/main.js with `env` and waits until its health service says SERVING. */
export async function startPhysicsEngine(env: Record<string, string>): Promise<EngineProcess> {
  const main = join(__dirname, '..', '..', 'dist', 'main.js');
  if (!existsSync(main))
    throw new Error(`${main} is missing: run \`npx nx run physics-engine:build\``);
  const port = await freePort();
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
  // Each line is stamped with the time it arrived (ms), for the ordering a lease needs.
  const keep = (chunk: Buffer) => {
    const at = new Date().toISOString().slice(11, 23);
    output += chunk.toString().replace(/^(?=.)/gm, `${at} `);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`physics engine exited ${child.exitCode}:\n${output}`);
    const status = await checkEngineHealth(address, engineChannelCredentials(), {
      service: ENGINE_SERVICE_NAME,
      deadlineMs: 1_000,
    }).catch(() => 'DOWN');
    if (status === 'SERVING') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`physics engine did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    address,
    child,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
  };
}

/** One record as a plain consumer sees it. */
export interface ReadRecord {
  key: string;
  partition: number;
  offset: number;
  value: unknown;
}

/**
 * Every record of `topic` up to each partition's end now, in partition order, read by a plain
 * kafkajs consumer in a process of its own (test/read-topic.cjs).
 */
export async function readTopic(brokers: string[], topic: string): Promise<ReadRecord[]> {
  const script = join(__dirname, '..', '..', 'test', 'read-topic.cjs');
  const child = spawn(process.execPath, [script, brokers.join(','), topic], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`read-topic.cjs exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as ReadRecord[];
}
