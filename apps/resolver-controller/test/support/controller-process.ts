import { spawn, type ChildProcess } from 'node:child_process';
import { poll } from './cluster';
import { MAIN_JS, REPO } from './paths';
import { readEnv } from './testenv';

/** One log line of the controller (pino JSON). */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** Options of a controller child process. */
export interface ControllerOptions {
  /** Namespace to watch (each test uses its own). */
  namespace: string;
  kubeconfig: string;
  /** Replica identity (POD_NAME). */
  identity: string;
  /** Lease namespace and name; default: the watched namespace, "resolver". */
  leaseNamespace?: string;
  leaseName?: string;
  env?: Record<string, string>;
}

/**
 * The built controller (`node apps/resolver-controller/dist/main.js`) as a child process,
 * with its JSON log lines collected and its probe port read from the log.
 */
export class ControllerProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(readonly options: ControllerOptions) {
    const env = {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: options.kubeconfig,
      NAMESPACE: options.namespace,
      POD_NAME: options.identity,
      LEASE_NAMESPACE: options.leaseNamespace ?? options.namespace,
      LEASE_NAME: options.leaseName ?? 'resolver',
      LEASE_DURATION_SECONDS: '6',
      LEASE_RENEW_DEADLINE_SECONDS: '4',
      LEASE_RETRY_PERIOD_SECONDS: '1',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOG_LEVEL: 'debug',
      RETRY_MAX_DELAY_MS: '5000',
      ...options.env,
    };
    this.child = spawn(process.execPath, [MAIN_JS], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ msg: line });
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => resolve((this.exitCode = code))),
    );
  }

  /** Starts a controller and waits until its informers have synced. */
  static async start(options: ControllerOptions): Promise<ControllerProcess> {
    const controller = new ControllerProcess(options);
    await controller.waitForLog((l) => l.msg === 'informers synced', 60_000);
    return controller;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The probe/metrics port from the "serving" log line. */
  get port(): number {
    const line = this.logs.find((l) => l.msg === 'serving /healthz, /readyz and /metrics');
    if (!line) throw new Error('the controller has not logged its port yet');
    return line.port as number;
  }

  /** Waits for a log line matching `match`. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    return poll(
      `a log line of ${this.options.identity}`,
      async () => {
        if (!this.running)
          throw new Error(
            `controller ${this.options.identity} exited with ${this.exitCode}: ${this.stderr.join('')}`,
          );
        return this.logs.find(match);
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** GET a probe path; returns status and body. */
  async get(path: string): Promise<{ status: number; body: string }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`);
    return { status: res.status, body: await res.text() };
  }

  /** The value of a metric (summed over label sets that contain `labels`). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { body } = await this.get('/metrics');
    let sum = 0;
    for (const line of body.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const set = match[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`)))
        sum += Number(match[3]);
    }
    return sum;
  }

  /** True when this replica reports holding the lease. */
  async isLeader(): Promise<boolean> {
    return (await this.metric('anvil_resolver_leader')) === 1;
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

/** The testenv's admin kubeconfig. */
export const adminKubeconfig = (): string => readEnv().KUBECONFIG;
