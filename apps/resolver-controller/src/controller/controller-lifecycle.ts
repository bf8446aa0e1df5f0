import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { ControllerConfig } from '../config/controller-config';
import { describeError } from '../errors/errors';
import type { ProbeServer } from '../http/probe-server';
import type { Log } from '../reconcile/cluster-writer';
import type { ResolverController } from './resolver-controller';

/**
 * Starts the probe server and the controller when Nest has built everything, and stops them
 * (releasing the lease) when the application closes on SIGTERM.
 */
export class ControllerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** The port /healthz, /readyz and /metrics are served on (after bootstrap). */
  port = 0;

  constructor(
    private readonly config: Pick<ControllerConfig, 'metrics'>,
    private readonly controller: ResolverController,
    private readonly probes: ProbeServer,
    private readonly log: Log,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = this.config.metrics;
    this.port = await this.probes.listen(host, port);
    this.log.info({ host, port: this.port }, 'serving /healthz, /readyz and /metrics');
    // not awaited: syncing can take long (or wait for the API server); /readyz tells
    this.controller
      .start()
      .catch((error: unknown) =>
        this.log.error({ err: describeError(error) }, 'controller failed to start'),
      );
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.log.info({ signal }, 'shutting down');
    await this.controller.stop();
    await this.probes.close();
    this.log.info({}, 'stopped');
  }
}
