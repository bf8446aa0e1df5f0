import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EventBus } from '@anvil/bus';
import type { Storage } from '@anvil/storage';
import { AuditService } from '../audit/audit.service';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayConfigService } from '../config/gateway-config.service';
import { InteractionEngineService } from '../engine/interaction-engine.service';
import { RouteRefreshService } from '../engine/route-refresh.service';
import { SnapshotService } from '../engine/snapshot.service';
import { WsExceptionFilter } from '../sockets/ws-exception.filter';
import { MetricsService } from '../metrics/metrics.service';
import type { Now } from '../limits/token-bucket';
import { CLOCK, EVENT_BUS, LOGGER, STORAGE } from '../storage/storage.tokens';

/** What bootstrap creates (or is given) before Nest starts. */
export interface CoreDeps {
  config: GatewayConfig;
  bus: EventBus;
  storage: Storage;
  logger: Logger;
  now: Now;
}

const shared = [
  GatewayConfigService,
  MetricsService,
  InteractionEngineService,
  SnapshotService,
  AuditService,
  WsExceptionFilter,
];

/** Config, infrastructure handles and the services every feature uses. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: CoreDeps): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: GatewayConfigService, useValue: new GatewayConfigService(deps.config) },
        { provide: EVENT_BUS, useValue: deps.bus },
        { provide: STORAGE, useValue: deps.storage },
        { provide: LOGGER, useValue: deps.logger },
        { provide: CLOCK, useValue: deps.now },
        MetricsService,
        InteractionEngineService,
        RouteRefreshService,
        SnapshotService,
        AuditService,
        WsExceptionFilter,
      ],
      exports: [EVENT_BUS, STORAGE, LOGGER, CLOCK, ...shared],
    };
  }
}
