import { shutdownTelemetry } from '@anvil/telemetry';
import { ConfigError } from '../config/config-error';
import { unrefTimers, type Timers } from '../time/clock';

/** Where the lifecycle's lines go; Nest's `Logger` and `console` fit as they are. */
export interface ProcessLog {
  log(message: string): void;
  error(message: string, stack?: string): void;
}

/** The part of `process` the lifecycle uses (a fake one in tests). */
export type ProcessPort = Pick<NodeJS.Process, 'on' | 'once' | 'exit'>;

/** Something started that stops with `close()` (every app's `bootstrap` result). */
export interface Closable {
  close(): Promise<void>;
}

/** How `runMain` starts and stops one app. */
export interface MainOptions<C extends { shutdownTimeoutMs: number }> {
  /** Reads and validates the config (a ConfigError ends the process with its message). */
  config: () => C;
  start: (config: C) => Promise<Closable>;
  /** Default: lines on stderr. A function gets the config (a logger at `LOG_LEVEL`). */
  log?: ProcessLog | ((config: C) => ProcessLog);
  process?: ProcessPort;
  /** For the shutdown timeout; default Node's, unref'd. */
  timers?: Timers;
}

const stderrLog: ProcessLog = {
  log: (message) => console.error(message),
  error: (message, stack) => console.error(stack ?? message),
};

/**
 * Runs an app as a process. A promise rejection nobody handled is logged and the process goes
 * on serving (every handler catches its own errors; one that slips through must not drop every
 * other caller). A config or start failure prints its reason and exits 1. The first SIGTERM or
 * SIGINT closes the app: exit 0 when closed, 1 when closing fails or outlasts
 * `config.shutdownTimeoutMs`.
 */
export async function runMain<C extends { shutdownTimeoutMs: number }>(
  options: MainOptions<C>,
): Promise<void> {
  const proc = options.process ?? process;
  const timers = options.timers ?? unrefTimers;
  let log = stderrLog;
  proc.on('unhandledRejection', (reason: unknown) =>
    log.error(
      `unhandled promise rejection (the process keeps running): ${String(reason)}`,
      reason instanceof Error ? reason.stack : undefined,
    ),
  );
  let config: C;
  let app: Closable;
  try {
    config = options.config();
    if (options.log) log = typeof options.log === 'function' ? options.log(config) : options.log;
    app = await options.start(config);
  } catch (error) {
    console.error(startFailure(error));
    proc.exit(1);
    return;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    timers.setTimeout(() => {
      log.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      proc.exit(1);
    }, config.shutdownTimeoutMs);
    app.close().then(
      () => flushThenExit(proc, 0),
      (error: unknown) => {
        log.error(`shutdown failed: ${String(error)}`);
        flushThenExit(proc, 1);
      },
    );
  };
  proc.once('SIGTERM', () => stop('SIGTERM'));
  proc.once('SIGINT', () => stop('SIGINT'));
}

/** Exports the spans still buffered (bounded by the exporter's own timeout), then exits. */
function flushThenExit(proc: ProcessPort, code: number): void {
  void shutdownTelemetry().finally(() => proc.exit(code));
}

/** The one line a failed start prints: a ConfigError's message names every bad variable. */
function startFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
