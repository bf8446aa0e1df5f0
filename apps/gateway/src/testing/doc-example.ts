// Test support: the minimal client of docs/client-protocol.md, run exactly as written.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DOC = join(__dirname, '..', '..', '..', '..', 'docs', 'client-protocol.md');

/** The code block of the "A minimal client" section. */
export function docExample(): string {
  const text = readFileSync(DOC, 'utf8');
  const section = text.slice(text.indexOf('## A minimal client'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no js example under "## A minimal client" in ${DOC}`);
  return match[1];
}

/** Runs the example with node (resolving socket.io-client from apps/gateway); resolves with its exit code and output. */
export function runDocExample(
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', docExample()], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
