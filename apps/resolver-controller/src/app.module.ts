import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ControllerConfig } from './config/controller-config';
import { ControllerLifecycle } from './controller/controller-lifecycle';
import { ResolverController } from './controller/resolver-controller';
import { ProbeServer } from './http/probe-server';
import { RESOURCES } from './mapping/cluster-cache';
import { CustomResourceSource } from './kube/custom-resource-source';
import { createKubeApis, type KubeApis } from './kube/kube-apis';
import { KubeLeaseClient } from './kube/kube-lease-client';
import { KubeClusterWriter } from './kube/kube-writer';
import { KubeWorkloadWriter } from './kube/kube-workload-writer';
import { asLog } from './logging/logger';
import { ControllerMetrics } from './metrics/controller-metrics';
import { LimitedWriter } from './reconcile/limited-writer';
import { StorageWorldRegistry } from './registry/storage-world-registry';
import type { WorldRegistry } from './registry/world-registry';

/** Injection tokens of the providers that are not classes Nest can see. */
export const TOKENS = {
  config: 'CONTROLLER_CONFIG',
  logger: 'LOGGER',
  kubeApis: 'KUBE_APIS',
  registry: 'WORLD_REGISTRY',
} as const;

/** Builds the controller from the validated config and the Kubernetes API clients. */
function buildController(
  config: ControllerConfig,
  apis: KubeApis,
  metrics: ControllerMetrics,
  logger: Logger,
  registry: WorldRegistry | null,
): ResolverController {
  const ns = config.namespace;
  const election = config.leaderElection;
  return new ResolverController({
    sources: {
      manifests: new CustomResourceSource(apis, RESOURCES.manifests, ns),
      games: new CustomResourceSource(apis, RESOURCES.games, ns),
      worlds: new CustomResourceSource(apis, RESOURCES.worlds, ns),
      bindings: new CustomResourceSource(apis, RESOURCES.bindings, ns),
    },
    writer: new LimitedWriter(
      new KubeClusterWriter(apis, election.identity),
      config.maxConcurrentWrites,
    ),
    election: election.enabled
      ? {
          client: new KubeLeaseClient(apis),
          options: {
            namespace: election.leaseNamespace,
            name: election.leaseName,
            identity: election.identity,
            leaseDurationSeconds: election.leaseDurationSeconds,
            renewDeadlineMs: election.renewDeadlineMs,
            retryPeriodMs: election.retryPeriodMs,
          },
        }
      : undefined,
    concurrency: config.concurrency,
    retry: config.retry,
    metrics,
    log: asLog(logger),
    registry: registry ?? undefined,
    namespace: ns,
    placementSyncMs: config.placementSyncMs,
    workloads: config.workloads && {
      writer: new KubeWorkloadWriter(apis),
      syncMs: config.workloads.syncMs,
    },
  });
}

/**
 * The controller's Nest module: a DI container for an application context (no HTTP framework;
 * probes and metrics are served by node:http). Everything is created from the config that
 * main.ts validated before Nest started.
 */
@Module({})
export class AppModule {
  static forRoot(config: ControllerConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      providers: [
        { provide: TOKENS.config, useValue: config },
        { provide: TOKENS.logger, useValue: logger },
        { provide: ControllerMetrics, useFactory: () => new ControllerMetrics() },
        {
          provide: TOKENS.kubeApis,
          useFactory: (c: ControllerConfig) => createKubeApis(c.kube),
          inject: [TOKENS.config],
        },
        {
          provide: TOKENS.registry,
          useFactory: async (c: ControllerConfig) =>
            c.registry ? StorageWorldRegistry.open(c.registry.url, c.registry.migrate) : null,
          inject: [TOKENS.config],
        },
        {
          provide: ResolverController,
          useFactory: buildController,
          inject: [
            TOKENS.config,
            TOKENS.kubeApis,
            ControllerMetrics,
            TOKENS.logger,
            TOKENS.registry,
          ],
        },
        {
          provide: ProbeServer,
          useFactory: (controller: ResolverController, metrics: ControllerMetrics) =>
            new ProbeServer({
              ready: () => controller.ready,
              metrics: async () => ({
                body: await metrics.render(),
                contentType: metrics.contentType,
              }),
            }),
          inject: [ResolverController, ControllerMetrics],
        },
        {
          provide: ControllerLifecycle,
          useFactory: (
            c: ControllerConfig,
            controller: ResolverController,
            probes: ProbeServer,
            l: Logger,
          ) => new ControllerLifecycle(c, controller, probes, asLog(l)),
          inject: [TOKENS.config, ResolverController, ProbeServer, TOKENS.logger],
        },
      ],
    };
  }
}
