import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Storage } from '@anvil/storage';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import { FanoutService } from '../fanout/fanout.service';
import { STORAGE } from '../storage/storage.tokens';
import { MetricsService } from '../metrics/metrics.service';

/** Probes and metrics over plain HTTP on the gateway's port. */
@Controller()
export class HealthController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly fanout: FanoutService,
    private readonly engine: InteractionEngineService,
    @Inject(STORAGE) private readonly storage: Storage,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers, the bus subscriptions run, the interaction engine is SERVING. */
  @Get('readyz')
  async readyz(): Promise<{ status: 'ready'; checks: Record<string, boolean> }> {
    const [storage, engine] = await Promise.all([
      this.storage.ping().then(
        () => true,
        () => false,
      ),
      this.engine.healthy(),
    ]);
    const checks = { storage, bus: this.fanout.ready, interactionEngine: engine };
    if (!Object.values(checks).every(Boolean))
      throw new ServiceUnavailableException({ status: 'not ready', checks });
    return { status: 'ready', checks };
  }

  /** Prometheus text format. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
