import { spawn, type ChildProcess } from 'node:child_process';
import { mainJs, REPO, type App } from './build';

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A built app running as a child process with the given environment; its output is kept. */
export class AppProcess {
  private output = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(
    readonly app: App,
    readonly env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [mainJs(app)], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      // Bounded: the last 256 KiB is plenty to explain a failure.
      this.output = (this.output + chunk.toString('utf8')).slice(-256 * 1024);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) =>
        resolve((this.exitCode = code ?? (signal ? -1 : null))),
      ),
    );
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Everything the process printed so far (the tail of it). */
  get log(): string {
    return this.output;
  }

  /** Waits until `ready` holds, failing early (with the output) if the process exits. */
  async waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    await poll(
      `${this.app}: ${what}`,
      async () => {
        if (!this.running)
          throw new Error(`${this.app} exited with ${this.exitCode}:\n${this.output}`);
        return ready();
      },
      timeoutMs,
    );
  }

  /** Sends a signal without waiting (SIGSTOP pauses it, SIGCONT wakes it). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Sends a signal and waits for the process to end; its exit code (-1: ended by a signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
