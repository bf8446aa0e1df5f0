import { hostname } from 'node:os';
import { z } from 'zod';
import {
  int,
  logLevelEnv,
  parseEnv,
  shutdownEnv,
  withoutBlanks,
  type Env,
  type LogLevel,
} from '@anvil/runtime';

export { ConfigError } from '@anvil/runtime';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The controller's one config schema: the environment, validated before Nest starts. */
export const controllerEnvSchema = z
  .object({
    KUBECONFIG: z.string().trim().min(1).optional(),
    /** Set by Kubernetes in every pod: with no KUBECONFIG the in-cluster config is used. */
    KUBERNETES_SERVICE_HOST: z.string().optional(),
    NAMESPACE: z
      .string()
      .trim()
      .regex(DNS_LABEL, 'must be a namespace name (DNS-1123 label), or empty for all')
      .max(63)
      .optional()
      .or(z.literal('')),
    CONCURRENCY: int(1, 64).default(8),
    MAX_CONCURRENT_WRITES: int(1, 256).default(20),
    LEADER_ELECTION: bool.default(true),
    LEASE_NAME: z
      .string()
      .regex(DNS_SUBDOMAIN, 'must be a DNS-1123 subdomain')
      .max(253)
      .default('anvil-resolver-controller'),
    LEASE_NAMESPACE: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .max(63)
      .default('anvil-system'),
    LEASE_DURATION_SECONDS: int(2, 3_600).default(15),
    LEASE_RENEW_DEADLINE_SECONDS: z.coerce.number().positive().max(3_600).default(10),
    LEASE_RETRY_PERIOD_SECONDS: z.coerce.number().positive().max(600).default(2),
    POD_NAME: z.string().trim().min(1).max(128).optional(),
    METRICS_HOST: z.string().min(1).default('0.0.0.0'),
    /** 0 picks a free port (logged at start). */
    METRICS_PORT: int(0, 65_535).default(8080),
    ...logLevelEnv,
    RETRY_BASE_DELAY_MS: int(1, 60_000).default(100),
    RETRY_MAX_DELAY_MS: int(1, 3_600_000).default(60_000),
    ...shutdownEnv,
    /** PostgreSQL (or pglite://) URL of the world registry the gateway reads; unset: none. */
    DATABASE_URL: z
      .string()
      .trim()
      .regex(/^(postgres(ql)?|pglite):\/\//, 'must be a postgresql:// or pglite:// URL')
      .optional(),
    DATABASE_MIGRATE: bool.default(true),
    /** How often each world's placement (its physics lease) is mirrored into its status. */
    PLACEMENT_SYNC_MS: int(100, 600_000).default(2_000),
    /** Run each bound ModuleManifest version's Deployment and Service (docs/controller.md). */
    MODULE_WORKLOADS: bool.default(false),
    /** How often the module workloads are compared with the bindings (with MODULE_WORKLOADS). */
    WORKLOAD_SYNC_MS: int(100, 600_000).default(5_000),
  })
  .superRefine((env, ctx) => {
    if (!env.KUBECONFIG && !env.KUBERNETES_SERVICE_HOST) {
      ctx.addIssue({
        code: 'custom',
        path: ['KUBECONFIG'],
        message: 'set KUBECONFIG, or run in a pod (in-cluster config)',
      });
    }
    if (env.LEASE_RENEW_DEADLINE_SECONDS >= env.LEASE_DURATION_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['LEASE_RENEW_DEADLINE_SECONDS'],
        message: 'must be less than LEASE_DURATION_SECONDS',
      });
    }
    if (env.LEASE_RETRY_PERIOD_SECONDS * 1.2 >= env.LEASE_RENEW_DEADLINE_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['LEASE_RETRY_PERIOD_SECONDS'],
        message: 'must be less than LEASE_RENEW_DEADLINE_SECONDS / 1.2',
      });
    }
    if (env.RETRY_MAX_DELAY_MS < env.RETRY_BASE_DELAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['RETRY_MAX_DELAY_MS'],
        message: 'must be at least RETRY_BASE_DELAY_MS',
      });
    }
  });

/** The controller's typed configuration. */
export interface ControllerConfig {
  /** A kubeconfig file, or in-cluster service-account credentials. */
  kube: { kubeconfig: string } | { inCluster: true };
  /** The namespace whose objects are watched; undefined watches all namespaces. */
  namespace: string | undefined;
  /** Worlds reconciled at the same time. */
  concurrency: number;
  /** Writes in flight to the API server at most, across all workers. */
  maxConcurrentWrites: number;
  leaderElection: {
    enabled: boolean;
    leaseName: string;
    leaseNamespace: string;
    leaseDurationSeconds: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
    /** This replica's identity in the Lease. */
    identity: string;
  };
  metrics: { host: string; port: number };
  logLevel: LogLevel;
  retry: { baseDelayMs: number; maxDelayMs: number };
  shutdownTimeoutMs: number;
  /** The world registry (storage URL); undefined publishes worlds nowhere but the API server. */
  registry: { url: string; migrate: boolean } | undefined;
  /** Period of the placement sync (with a registry). */
  placementSyncMs: number;
  /** Module workloads: run each bound manifest version, every `syncMs`; undefined: off. */
  workloads: { syncMs: number } | undefined;
}

/** Validates an environment (default: this process's) into a ControllerConfig; throws ConfigError. */
export function loadControllerConfig(env: Env = process.env): ControllerConfig {
  // An empty NAMESPACE means all namespaces; any other empty variable counts as unset.
  const e = parseEnv('resolver-controller', controllerEnvSchema, withoutBlanks(env, ['NAMESPACE']));
  return {
    kube: e.KUBECONFIG ? { kubeconfig: e.KUBECONFIG } : { inCluster: true },
    namespace: e.NAMESPACE || undefined,
    concurrency: e.CONCURRENCY,
    maxConcurrentWrites: e.MAX_CONCURRENT_WRITES,
    leaderElection: {
      enabled: e.LEADER_ELECTION,
      leaseName: e.LEASE_NAME,
      leaseNamespace: e.LEASE_NAMESPACE,
      leaseDurationSeconds: e.LEASE_DURATION_SECONDS,
      renewDeadlineMs: Math.round(e.LEASE_RENEW_DEADLINE_SECONDS * 1000),
      retryPeriodMs: Math.round(e.LEASE_RETRY_PERIOD_SECONDS * 1000),
      identity: e.POD_NAME ?? `${hostname()}_${process.pid}`,
    },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    logLevel: e.LOG_LEVEL,
    retry: { baseDelayMs: e.RETRY_BASE_DELAY_MS, maxDelayMs: e.RETRY_MAX_DELAY_MS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    registry: e.DATABASE_URL ? { url: e.DATABASE_URL, migrate: e.DATABASE_MIGRATE } : undefined,
    placementSyncMs: e.PLACEMENT_SYNC_MS,
    workloads: e.MODULE_WORKLOADS ? { syncMs: e.WORKLOAD_SYNC_MS } : undefined,
  };
}
