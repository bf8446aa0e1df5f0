// KafkaBus configuration: defaults, validation (before anything connects) and the quiet logger
// kafkajs writes through.
import { logLevel as KafkaLogLevel, type KafkaConfig, type logCreator } from 'kafkajs';

import { InvalidBusArgumentError } from '../errors';

/** How much the bus (and kafkajs under it) logs. */
export type BusLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** One log line: kafkajs' or the bus' own (`namespace` `bus`). */
export interface BusLogEntry {
  level: Exclude<BusLogLevel, 'nothing'>;
  namespace: string;
  message: string;
  extra: Record<string, unknown>;
}

/** Where log lines go (default: one line on stderr). */
export type BusLogger = (entry: BusLogEntry) => void;

/** Configuration of `KafkaBus`; only `brokers` and `clientId` are required. */
export interface KafkaBusConfig {
  /** `host:port` of one or more brokers (see `parseBrokers` for a comma-separated list). */
  brokers: string[];
  clientId: string;
  /** Partitions of topics the bus creates (default 6). Keys hash onto them; more = more parallel consumers. */
  partitions?: number;
  /** Replicas of topics the bus creates (default: min(3, brokers in the cluster)). */
  replicationFactor?: number;
  /**
   * Record batch compression: `none` (default) or `gzip`, the codec kafkajs ships. The engines
   * publish small batches (a world's tick), which gzip barely shrinks, and a restore reads them
   * back on the failover path, where gzip costs a decompression per batch: reading a command log
   * of single-record batches takes 0.40x the time uncompressed (bench/bus, log-compression).
   */
  compression?: 'gzip' | 'none';
  /** Create missing topics through the admin API on first publish/subscribe (default true). */
  createTopics?: boolean;
  /** Default `error`: kafkajs' retried protocol errors are logged as warnings, so normal rebalances are quiet. */
  logLevel?: BusLogLevel;
  logger?: BusLogger;
  /** Delay before redelivering after a handler failure, doubled per retry (default 200 ms). */
  redeliveryDelayMs?: number;
  /** Upper bound of the redelivery delay (default 5,000 ms). */
  maxRedeliveryDelayMs?: number;
  /** Uncompressed bytes per produce request; concurrent publishes are coalesced up to this (default 1,000,000). */
  maxBatchBytes?: number;
  /** Partitions one subscription handles at the same time (default: `partitions`), so a failing world holds back only its partition. */
  partitionsConsumedConcurrently?: number;
  /** Longest a fetch waits for new records (default 500 ms, Kafka's `fetch.max.wait.ms`; closing waits for it). */
  fetchMaxWaitMs?: number;
  /** How long `subscribe` waits to join its group (default 60,000 ms). */
  joinTimeoutMs?: number;
  /** Passed to kafkajs as is: TLS, SASL, timeouts, client retry. */
  kafka?: Pick<KafkaConfig, 'ssl' | 'sasl' | 'connectionTimeout' | 'requestTimeout' | 'retry'>;
}

/** The configuration with every default applied. */
export type ResolvedKafkaBusConfig = Required<Omit<KafkaBusConfig, 'replicationFactor' | 'kafka'>> &
  Pick<KafkaBusConfig, 'replicationFactor' | 'kafka'>;

/** Splits `KAFKA_BROKERS`-style text (`host:port,host:port`) into a broker list. */
export function parseBrokers(text: string): string[] {
  return text
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

const LEVELS: readonly BusLogLevel[] = ['nothing', 'error', 'warn', 'info', 'debug'];

function positiveInteger(
  name: string,
  value: number | undefined,
  fallback: number,
  min = 1,
): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result < min) {
    throw new InvalidBusArgumentError(
      `KafkaBus config: ${name} must be an integer >= ${min}, got ${String(value)}`,
    );
  }
  return result;
}

/** Applies defaults and checks every field; throws `InvalidBusArgumentError` naming the field. */
export function resolveKafkaBusConfig(config: KafkaBusConfig): ResolvedKafkaBusConfig {
  const brokers = config?.brokers;
  if (
    !Array.isArray(brokers) ||
    brokers.length === 0 ||
    !brokers.every((b) => /^[^\s:,]+:\d{1,5}$/.test(b))
  ) {
    throw new InvalidBusArgumentError(
      `KafkaBus config: brokers must be a non-empty list of host:port, got ${JSON.stringify(brokers)}`,
    );
  }
  if (typeof config.clientId !== 'string' || config.clientId.length === 0) {
    throw new InvalidBusArgumentError('KafkaBus config: clientId must be a non-empty string');
  }
  const compression = config.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new InvalidBusArgumentError(
      `KafkaBus config: compression must be "gzip" or "none", got ${String(compression)}`,
    );
  }
  const logLevel = config.logLevel ?? 'error';
  if (!LEVELS.includes(logLevel)) {
    throw new InvalidBusArgumentError(
      `KafkaBus config: logLevel must be one of ${LEVELS.join(', ')}, got ${String(logLevel)}`,
    );
  }
  const redeliveryDelayMs = positiveInteger('redeliveryDelayMs', config.redeliveryDelayMs, 200, 0);
  return {
    brokers: [...brokers],
    clientId: config.clientId,
    partitions: positiveInteger('partitions', config.partitions, 6),
    replicationFactor:
      config.replicationFactor === undefined
        ? undefined
        : positiveInteger('replicationFactor', config.replicationFactor, 1),
    compression,
    createTopics: config.createTopics ?? true,
    logLevel,
    logger: config.logger ?? writeToStderr,
    redeliveryDelayMs,
    maxRedeliveryDelayMs: positiveInteger(
      'maxRedeliveryDelayMs',
      config.maxRedeliveryDelayMs,
      5_000,
      redeliveryDelayMs,
    ),
    maxBatchBytes: positiveInteger('maxBatchBytes', config.maxBatchBytes, 1_000_000, 1_024),
    partitionsConsumedConcurrently: positiveInteger(
      'partitionsConsumedConcurrently',
      config.partitionsConsumedConcurrently,
      config.partitions ?? 6,
    ),
    fetchMaxWaitMs: positiveInteger('fetchMaxWaitMs', config.fetchMaxWaitMs, 500),
    joinTimeoutMs: positiveInteger('joinTimeoutMs', config.joinTimeoutMs, 60_000),
    kafka: config.kafka,
  };
}

function writeToStderr(entry: BusLogEntry): void {
  const extra = Object.keys(entry.extra).length > 0 ? ` ${JSON.stringify(entry.extra)}` : '';
  process.stderr.write(
    `[anvil/bus] ${entry.level.toUpperCase()} ${entry.namespace}: ${entry.message}${extra}\n`,
  );
}

/** The bus' log function: drops lines above the configured level. */
export type BusLog = (
  level: BusLogEntry['level'],
  message: string,
  extra?: Record<string, unknown>,
) => void;

/** A log function for the bus itself, filtered by `config.logLevel`. */
export function busLog(config: ResolvedKafkaBusConfig, namespace = 'bus'): BusLog {
  const max = LEVELS.indexOf(config.logLevel);
  return (level, message, extra = {}) => {
    if (LEVELS.indexOf(level) <= max) config.logger({ level, namespace, message, extra });
  };
}

const FROM_KAFKAJS: Record<number, BusLogEntry['level']> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** The kafkajs logLevel matching the configured one. */
export function kafkajsLogLevel(level: BusLogLevel): KafkaLogLevel {
  return {
    nothing: KafkaLogLevel.NOTHING,
    error: KafkaLogLevel.ERROR,
    warn: KafkaLogLevel.WARN,
    info: KafkaLogLevel.INFO,
    debug: KafkaLogLevel.DEBUG,
  }[level];
}

/**
 * Routes kafkajs logs to the bus logger. kafkajs logs every error response of the broker at
 * error level, even those it retries (a rebalance in progress, a leader moving): those become
 * warnings, so that `error` means something is wrong.
 */
export function kafkajsLogCreator(config: ResolvedKafkaBusConfig): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
      const retried =
        level === KafkaLogLevel.ERROR &&
        namespace === 'Connection' &&
        String(message).startsWith('Response ');
      const mapped = retried ? 'warn' : (FROM_KAFKAJS[level] ?? 'info');
      busLog(config, `kafkajs/${namespace || 'client'}`)(mapped, String(message), extra);
    };
}
