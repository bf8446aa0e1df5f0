// Runs the built module (dist/main.js) as a child process for integration tests, and writes and
// reads Kafka records raw through test/raw-records.cjs (plain kafkajs in a process of its own).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A TCP port the OS calls free on loopback now; an outgoing connection may take it before the app
 * binds it, so startAnalytics tries another then.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** An analytics process. */
export interface AnalyticsProcess {
  url: string;
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Tries on other ports when the one picked was taken before the app bound it. */
const PORT_ATTEMPTS = 3;

/** Starts dist/main.js with `env` on a free loopback port; resolves once /readyz answers 200. */
export async function startAnalytics(env: Record<string, string>): Promise<AnalyticsProcess> {
  const main = join(__dirname, '..', '..', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx nx run analytics:build\``);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(main, env, await freePort());
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(
  main: string,
  env: Record<string, string>,
  port: number,
): Promise<AnalyticsProcess> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { PATH: process.env['PATH'] ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      const Failure = output.includes('EADDRINUSE') ? PortTakenError : Error;
      throw new Failure(`analytics exited ${child.exitCode}:\n${output}`);
    }
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`analytics did not get ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
  };
}

/** One record as a plain consumer reads it. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: string;
}

function runRaw(args: string[], input?: string): Promise<string> {
  const script = join(__dirname, '..', '..', 'test', 'raw-records.cjs');
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  child.stdin.end(input ?? '');
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`raw-records.cjs exited ${code}: ${stderr}`)),
    ),
  );
}

/** Writes records to `topic` exactly as given (values need not be events, or JSON). */
export async function produceRaw(
  brokers: string,
  topic: string,
  records: Array<{ key: string; value: string }>,
): Promise<void> {
  await runRaw(['produce', brokers, topic], JSON.stringify(records));
}

/** Every record of the topics up to each partition's end now, by topic, partition and offset. */
export async function readRaw(brokers: string, topics: string[]): Promise<RawRecord[]> {
  return JSON.parse(await runRaw(['read', brokers, ...topics])) as RawRecord[];
}
