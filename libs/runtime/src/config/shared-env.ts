// The variables every app reads the same way: the bus, the log level, the shutdown timeout.
import { z } from 'zod';
import type { BusConfig } from '../bus/create-bus';
import { int, list, type Env } from './env';

/** The message of a value outside its allowed set. */
export const NOT_ALLOWED = 'must be equal to one of the allowed values';

/** pino's levels, as `LOG_LEVEL` takes them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const TOPIC_PREFIX = /^[A-Za-z0-9._-]{1,100}$/;

/** `LOG_LEVEL` (default info). */
export const logLevelEnv = {
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: NOT_ALLOWED }).default('info'),
};

/** `SHUTDOWN_TIMEOUT_MS`: a shutdown that takes longer exits with status 1. */
export const shutdownEnv = {
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
};

/** `BUS`, `KAFKA_BROKERS`, `KAFKA_CLIENT_ID` (default `kafkaClientId`) and `BUS_TOPIC_PREFIX`. */
export function busEnv(kafkaClientId: string) {
  return {
    BUS: z.enum(['memory', 'kafka'], { error: NOT_ALLOWED }).default('memory'),
    KAFKA_BROKERS: z.string().optional(),
    KAFKA_CLIENT_ID: z
      .string()
      .min(1, 'must NOT have fewer than 1 characters')
      .default(kafkaClientId),
    /** Prefix of the world topics, for clusters shared by several installations. */
    BUS_TOPIC_PREFIX: z
      .string()
      .regex(TOPIC_PREFIX, `must match pattern "${TOPIC_PREFIX.source}"`)
      .optional()
      .or(z.literal('')),
  };
}

/** The bus rule zod cannot see per variable: Kafka needs brokers. Give it the raw environment. */
export function busIssues(env: Env): string[] {
  return env['BUS'] === 'kafka' && list(env['KAFKA_BROKERS']).length === 0
    ? ['KAFKA_BROKERS: required when BUS=kafka']
    : [];
}

/** The validated bus variables as the config `createBus` takes. */
export function toBusConfig(e: {
  BUS: BusConfig['kind'];
  KAFKA_BROKERS?: string;
  KAFKA_CLIENT_ID: string;
  BUS_TOPIC_PREFIX?: string;
}): BusConfig {
  return {
    kind: e.BUS,
    kafkaBrokers: list(e.KAFKA_BROKERS),
    kafkaClientId: e.KAFKA_CLIENT_ID,
    topicPrefix: e.BUS_TOPIC_PREFIX || undefined,
  };
}
