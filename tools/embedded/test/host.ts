// What the embedded host's tests share: `node tools/embedded/start.cjs` as a child process
// (free ports, its own data folder) and a bounded wait that reports the host's output.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..', '..');
export const EXAMPLES = path.join(ROOT, 'deploy', 'examples');
const START = path.join(ROOT, 'tools', 'embedded', 'start.cjs');

export interface Host {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Copies deploy/examples into `dir`, the tag world without bots (its `anvil.dev/embedded-bots`
 * annotation): its first player is "it", so a test's own players can pass it on.
 */
export function copyExamples(dir: string): void {
  for (const f of fs.readdirSync(EXAMPLES))
    fs.copyFileSync(path.join(EXAMPLES, f), path.join(dir, f));
  const tagFile = path.join(dir, 'tag-game.yaml');
  const yaml = fs.readFileSync(tagFile, 'utf8');
  const annotated = yaml.replace(
    '  name: tag-eu-1\n',
    "  name: tag-eu-1\n  annotations: { anvil.dev/embedded-bots: '0' }\n",
  );
  if (annotated === yaml) throw new Error(`${tagFile} has no world tag-eu-1 to annotate`);
  fs.writeFileSync(tagFile, annotated);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 250 ms until it returns something truthy; fails after `timeoutMs` or when the host exits. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  host?: Host,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(check()).catch(() => undefined);
    if (value) return value;
    if (host && host.child.exitCode !== null)
      throw new Error(
        `the host exited (${host.child.exitCode}) while waiting for ${what}:\n${host.output()}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${host ? `:\n${host.output().slice(-4000)}` : ''}`,
      );
    await sleep(250);
  }
}

/** Starts `start.cjs` with these arguments (pass `--port 0 --free-ports --data DIR`). */
export function startHost(args: string[]): Host {
  let output = '';
  const child = spawn(process.execPath, [START, ...args], {
    cwd: ROOT,
    env: { ...process.env, NX_DAEMON: 'false', ANVIL_JWT_SECRET: '', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => void (output += c.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

/** The web view's URL, once the host prints it. */
export const webUrl = (host: Host, timeoutMs: number) =>
  until(
    'the printed URL',
    () => /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(host.output())?.[1],
    timeoutMs,
    host,
  );

/** Stops the host: SIGTERM (a clean stop), SIGKILL if it is still running after `graceMs`. */
export async function stopHost(host: Host | undefined, graceMs = 25_000): Promise<void> {
  if (!host || host.child.exitCode !== null || host.child.signalCode !== null) return;
  host.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    host.exited.then(() => true),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!stopped) {
    host.child.kill('SIGKILL');
    await host.exited;
  }
}
