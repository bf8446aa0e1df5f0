import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import type { Storage } from '@anvil/storage';
import { GatewayConfigService } from '../config/gateway-config.service';
import { LOGGER, STORAGE } from '../storage/storage.tokens';
import { InteractionEngineService } from './interaction-engine.service';

/** Rows read by one query of a refresh (the storage's most ids a call). */
const REFRESH_BATCH = 1_000;

/**
 * Keeps the routes of the worlds this gateway serves current: every ROUTE_REFRESH_MS it reads
 * the registry and re-learns each routed world's entry binding. When a world's game now binds
 * another module (a newer version, another scope), its players' next commands go there; that
 * module does not run the world yet, so the first one starts it and re-adds the player, as
 * after an engine restart.
 */
@Injectable()
export class RouteRefreshService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private refreshing = false;

  constructor(
    private readonly engine: InteractionEngineService,
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly config: GatewayConfigService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.get('engine').routeRefreshMs;
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reads the routed worlds' rows (no others) and re-learns their routes (never throws). */
  async refresh(): Promise<void> {
    const routed = this.engine.routedWorlds();
    if (this.refreshing || routed.length === 0) return;
    this.refreshing = true;
    try {
      for (let i = 0; i < routed.length; i += REFRESH_BATCH)
        for (const world of await this.storage.worlds.getMany(routed.slice(i, i + REFRESH_BATCH)))
          this.engine.route(world);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the world registry to refresh routes');
    } finally {
      this.refreshing = false;
    }
  }
}
