import { Logger } from '@nestjs/common';
import { logUnhandledRejections } from '@anvil/engine-contract';
import { loadInteractionConfig } from './config/interaction-config';
import { bootstrap } from './bootstrap';

/** The interaction engine process: config from the environment, graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const logger = new Logger('main');
  logUnhandledRejections((line, stack) => logger.error(line, stack));
  const config = loadInteractionConfig();
  const engine = await bootstrap({ config });
  const stop = (signal: string) => {
    logger.log(`${signal}: shutting down`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    engine.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Config errors and bind failures end here: print the reason, exit non-zero.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
