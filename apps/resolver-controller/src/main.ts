import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadControllerConfig } from './config/controller-config';
import { createLogger, NestPinoLogger } from './logging/logger';

/**
 * The resolver controller process: the config is validated before Nest starts (a bad
 * variable exits 1 with a message naming it); SIGTERM/SIGINT stop gracefully (the lease is
 * released), bounded by SHUTDOWN_TIMEOUT_MS.
 */
async function main(): Promise<void> {
  const config = loadControllerConfig();
  const logger = createLogger(config.logLevel, config.leaderElection.identity);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger), {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    logger.info({ signal }, 'stopping');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
