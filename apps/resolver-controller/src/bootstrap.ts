import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { NestPinoLogger } from '@anvil/runtime';
import { AppModule } from './app.module';
import type { ControllerConfig } from './config/controller-config';
import { controllerLogger } from './logging/logger';

/** What `bootstrap` needs. */
export interface ControllerBootstrapOptions {
  config: ControllerConfig;
  /** The logger; default pino at config.logLevel, tagged with the replica. */
  logger?: Logger;
}

/** A running resolver controller. */
export interface RunningController {
  app: INestApplicationContext;
  /** Stops gracefully: the controller stops (the lease is released), then the probe server. */
  close(): Promise<void>;
}

/**
 * Starts the controller: a Nest application context (no HTTP framework) built from the config
 * validated before Nest starts; probes and metrics are served by node:http.
 */
export async function bootstrap(options: ControllerBootstrapOptions): Promise<RunningController> {
  const { config } = options;
  const logger = options.logger ?? controllerLogger(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger), {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  return { app, close: () => app.close() };
}
