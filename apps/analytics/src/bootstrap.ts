import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventBus } from '@anvil/bus';
import { NestPinoLogger, closeOnce, createLogger } from '@anvil/runtime';
import { openMigratedStorage, type Storage } from '@anvil/storage';
import type { Logger } from 'pino';
import { AppModule } from './app/app.module';
import type { AnalyticsConfig } from './config/analytics-config';
import { FiguresConsumer } from './consumer/figures-consumer';
import { openBus } from './consumer/open-bus';
import { ErrorFilter } from './errors/error-filter';
import { AnalyticsMetrics } from './metrics/analytics-metrics';

/** What `bootstrap` needs; `bus` and `storage` are shared with other apps in embedded mode. */
export interface AnalyticsBootstrapOptions {
  config: AnalyticsConfig;
  /**
   * The bus to consume the world topics from (left open on close); default: created from
   * config.bus. Only the module's own KafkaBus reports the records it skips as malformed.
   */
  bus?: EventBus;
  /** Storage for the figures, already migrated; default: opened from config.databaseUrl and migrated (closed on close). */
  storage?: Storage;
  /** The logger; default pino at config.logLevel. */
  logger?: Logger;
}

/** A running analytics module. */
export interface RunningAnalytics {
  /** The port actually bound (useful when config.http.port is 0). */
  port: number;
  /** http://host:port for clients on this machine. */
  url: string;
  app: INestApplication;
  /** Stops the subscriptions (in-flight events finish), then HTTP, then the owned bus and storage. */
  close(): Promise<void>;
}

/**
 * Starts the analytics module: consumes the world topics into per-world figures in storage and
 * serves them over HTTP. Resolves once HTTP listens and every subscription has joined its group.
 */
export async function bootstrap(options: AnalyticsBootstrapOptions): Promise<RunningAnalytics> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ app: 'analytics', level: config.logLevel });
  const metrics = new AnalyticsMetrics();
  let consumer: FiguresConsumer | undefined;
  const ownsBus = !options.bus;
  const bus = options.bus ?? openBus(config.bus, logger, (record) => consumer?.skipped(record));
  const ownsStorage = !options.storage;
  let storage: Storage | undefined;
  let app: INestApplication | undefined;
  const closeAll = async () => {
    await consumer?.close();
    await app?.close();
    if (ownsBus) await bus.close();
    if (ownsStorage) await storage?.close();
  };
  try {
    storage = options.storage ?? (await openMigratedStorage(config.databaseUrl));
    consumer = new FiguresConsumer({
      bus,
      analytics: storage.analytics,
      metrics,
      logger,
      group: config.group,
      topicPrefix: config.bus.topicPrefix,
    });
    app = await NestFactory.create(AppModule.forRoot({ storage, logger, metrics, consumer }), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
      // No route takes a body: nothing untrusted gets parsed before a handler asks for it.
      bodyParser: false,
    });
    app.useGlobalFilters(new ErrorFilter(logger));
    await app.listen(config.http.port, config.http.host);
    await consumer.start();
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
    logger.info({ port, bus: config.bus.kind, group: config.group }, 'analytics listening');
    return { port, url: `http://${host}:${port}`, app, close: closeOnce(closeAll) };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}
