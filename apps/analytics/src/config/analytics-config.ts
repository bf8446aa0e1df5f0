import { z } from 'zod';
import {
  busEnv,
  busIssues,
  int,
  logLevelEnv,
  parseEnv,
  shutdownEnv,
  toBusConfig,
  withoutBlanks,
  type BusConfig,
  type Env,
  type LogLevel,
} from '@anvil/runtime';

export { ConfigError } from '@anvil/runtime';

const GROUP = /^[A-Za-z0-9._-]{1,200}$/;

/** The environment variables the analytics module reads. */
export const analyticsEnvSchema = z.object({
  HOST: z.string().min(1, 'must NOT have fewer than 1 characters').default('0.0.0.0'),
  /** HTTP port of the figures API, probes and metrics; 0 picks a free one (tests, embedded). */
  PORT: int(0, 65_535).default(8090),
  ...busEnv('anvil-analytics'),
  /** Where the figures live: `postgresql://...`, `pglite://<folder>` or `pglite://memory`. */
  DATABASE_URL: z
    .string()
    .min(1, 'must NOT have fewer than 1 characters')
    .default('pglite://memory'),
  /** Consumer group prefix: one group per topic, `<group>.interaction` and `<group>.commands`. */
  ANALYTICS_GROUP: z
    .string()
    .regex(GROUP, `must match pattern "${GROUP.source}"`)
    .default('anvil-analytics'),
  ...logLevelEnv,
  ...shutdownEnv,
});

/** The analytics module's typed configuration. */
export interface AnalyticsConfig {
  http: { host: string; port: number };
  bus: BusConfig;
  databaseUrl: string;
  /** Consumer group prefix (see ANALYTICS_GROUP). */
  group: string;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

/** Validates an environment (default: this process's) into an AnalyticsConfig; throws ConfigError. */
export function loadAnalyticsConfig(env: Env = process.env): AnalyticsConfig {
  const known = Object.keys(analyticsEnvSchema.shape);
  const input = withoutBlanks(Object.fromEntries(known.map((key) => [key, env[key]])));
  const e = parseEnv('analytics', analyticsEnvSchema, input, crossChecks);
  return {
    http: { host: e.HOST, port: e.PORT },
    bus: toBusConfig(e),
    databaseUrl: e.DATABASE_URL,
    group: e.ANALYTICS_GROUP,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

function crossChecks(e: Env): string[] {
  const issues = busIssues(e);
  // Kafka remembers what the group consumed; figures kept in memory would not survive a restart.
  if (e['BUS'] === 'kafka' && (e['DATABASE_URL'] ?? 'pglite://memory') === 'pglite://memory') {
    issues.push(
      'DATABASE_URL: with BUS=kafka the figures must outlive the process: use postgresql://... or pglite://<folder>',
    );
  }
  return issues;
}
