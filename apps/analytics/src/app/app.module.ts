import { Module, type DynamicModule } from '@nestjs/common';
import type { Storage } from '@anvil/storage';
import type { Logger } from 'pino';
import { FiguresConsumer } from '../consumer/figures-consumer';
import { FiguresController } from '../figures/figures.controller';
import { FiguresService } from '../figures/figures.service';
import { HealthController } from '../health/health.controller';
import { AnalyticsMetrics } from '../metrics/analytics-metrics';
import { LOGGER, STORAGE } from '../tokens';

/** What bootstrap creates (or is given) before Nest starts. */
export interface AppDeps {
  storage: Storage;
  logger: Logger;
  metrics: AnalyticsMetrics;
  consumer: FiguresConsumer;
}

/** The analytics HTTP application: the figures API, probes and metrics. */
@Module({})
export class AppModule {
  static forRoot(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      controllers: [FiguresController, HealthController],
      providers: [
        { provide: STORAGE, useValue: deps.storage },
        { provide: LOGGER, useValue: deps.logger },
        { provide: AnalyticsMetrics, useValue: deps.metrics },
        { provide: FiguresConsumer, useValue: deps.consumer },
        { provide: FiguresService, useValue: new FiguresService(deps.storage.analytics) },
      ],
    };
  }
}
