// `npm start` after the build: parses the options and runs the host until SIGINT/SIGTERM
// (docs/embedded.md). tools/embedded/start.cjs installs and builds, then calls `main`.
import { recentCommands } from './telemetry';
import { Host } from './host';
import { HELP, UsageError, parseOptions, type Options } from './options';
import { messageOf } from './workspace';

const log = (line: string) => console.log(line);
const warn = (line: string) => console.error(line);

/** The options of argv, or the process exits (2 on a usage error, 0 after --help). */
export function optionsOrExit(argv: readonly string[]): Options {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    warn(`${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options.help) {
    log(HELP);
    process.exit(0);
  }
  return options;
}

/** Runs the host until SIGINT/SIGTERM; exits 0 after a clean stop. */
export async function run(options: Options): Promise<void> {
  const host = new Host(options, recentCommands);
  let signalled = 0;
  const onSignal = (signal: string) => {
    // `npm start` forwards the terminal's Ctrl-C to us, which the terminal also sends: one
    // press arrives twice. Only a second press (a while later) forces the exit.
    if (signalled) {
      if (Date.now() - signalled < 2_000) return;
      warn(`${signal} again: exiting now`);
      host.unlock?.();
      process.exit(1);
    }
    signalled = Date.now();
    log(`\n${signal}: stopping bots, gateway, engines, bus and storage …`);
    setTimeout(() => {
      warn('stopping took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000).unref();
    host.stop().then(
      () => {
        log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        warn(`stopping failed: ${messageOf(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('unhandledRejection', (error) =>
    warn(`unexpected: ${error instanceof Error ? error.stack : error}`),
  );
  try {
    await host.start();
  } catch (error) {
    warn(`\nAnvil could not start: ${messageOf(error)}`);
    await host.stop().catch(() => undefined);
    process.exit(1);
  }
}

/** The host's command line (after node and script). */
export function main(argv: readonly string[]): Promise<void> {
  return run(optionsOrExit(argv));
}
