import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { Storage } from '@anvil/storage';
import { FiguresConsumer } from '../consumer/figures-consumer';
import { ApiError, ApiErrorCode } from '../errors/api-error';
import { AnalyticsMetrics } from '../metrics/analytics-metrics';
import { STORAGE } from '../tokens';

/** Probes and metrics over plain HTTP on the module's port. */
@Controller()
export class HealthController {
  constructor(
    @Inject(AnalyticsMetrics) private readonly metrics: AnalyticsMetrics,
    @Inject(FiguresConsumer) private readonly consumer: FiguresConsumer,
    @Inject(STORAGE) private readonly storage: Storage,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and the subscriptions run. */
  @Get('readyz')
  async readyz(): Promise<{ status: 'ready'; checks: Record<string, boolean> }> {
    const storage = await this.storage.ping().then(
      () => true,
      () => false,
    );
    const checks = { storage, bus: this.consumer.ready };
    if (!storage || !checks.bus)
      throw new ApiError(503, ApiErrorCode.NotReady, 'not ready', { checks });
    return { status: 'ready', checks };
  }

  /** Prometheus text format. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
