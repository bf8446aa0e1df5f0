import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import type { EventBus } from '@anvil/bus';
import { NestPinoLogger, closeOnce, createLogger, holdBus } from '@anvil/runtime';
import { createStorage, type Storage } from '@anvil/storage';
import { AppModule } from './app/app.module';
import { GatewayIoAdapter, socketIoOptions } from './app/io.adapter';
import { AuditService } from './audit/audit.service';
import { HttpExceptionFilter } from './errors/http-exception.filter';
import type { GatewayConfig } from './config/gateway-config';
import type { Now } from './limits/token-bucket';

/** What `bootstrap` needs; `bus` and `storage` are shared with other apps in embedded mode. */
export interface GatewayBootstrapOptions {
  config: GatewayConfig;
  /** The bus to read world events from; default: created from config.bus (and closed on close). */
  bus?: EventBus;
  /** Storage for worlds, sessions and audit; default: opened from config.storage (migrated, closed on close). */
  storage?: Storage;
  /** Monotonic ms clock for rate limits (tests); default performance.now. */
  now?: Now;
  /** The logger; default pino at config.logLevel. */
  logger?: Logger;
}

/** A running gateway. */
export interface RunningGateway {
  /** The port actually bound (useful when config.http.port is 0). */
  port: number;
  /** http://host:port for clients on this machine. */
  url: string;
  storage: Storage;
  app: INestApplication;
  /** Stops accepting connections, closes sockets, subscriptions and the engine channel, then owned bus and storage. */
  close(): Promise<void>;
}

/** Starts the gateway: HTTP (probes, metrics) and socket.io on one port. */
export async function bootstrap(options: GatewayBootstrapOptions): Promise<RunningGateway> {
  const { config } = options;
  const logger =
    options.logger ??
    createLogger({ app: 'gateway', level: config.logLevel, base: { instance: config.instanceId } });
  const ownsStorage = !options.storage;
  const { bus, release: releaseBus } = await holdBus(options.bus, config.bus);
  let storage: Storage | undefined;
  try {
    storage = options.storage ?? (await createStorage({ url: config.storage.url }));
    if (ownsStorage && config.storage.migrate) await storage.migrate();
    const now = options.now ?? (() => performance.now());
    const app = await NestFactory.create(AppModule.forRoot({ config, bus, storage, logger, now }), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
      // No route takes a body: nothing untrusted gets parsed before a handler asks for it.
      bodyParser: false,
    });
    app.useGlobalFilters(new HttpExceptionFilter(logger));
    app.useWebSocketAdapter(new GatewayIoAdapter(app, socketIoOptions(config)));
    await app.listen(config.http.port, config.http.host);
    const closed = await app.get(AuditService).closeStaleSessions();
    if (closed)
      logger.info({ closed }, 'closed sessions left open by a previous run of this instance');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
    logger.info(
      { port, engine: config.engine.interactionAddress, bus: config.bus.kind },
      'gateway listening',
    );
    const owned = storage;
    return {
      port,
      url: `http://${host}:${port}`,
      storage: owned,
      app,
      close: closeOnce(async () => {
        await app.close();
        await releaseBus();
        if (ownsStorage) await owned.close();
      }),
    };
  } catch (error) {
    await releaseBus().catch(() => undefined);
    if (ownsStorage) await storage?.close().catch(() => undefined);
    throw error;
  }
}
