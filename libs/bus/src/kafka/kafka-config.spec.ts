import { logLevel } from 'kafkajs';

import { InvalidBusArgumentError } from '../errors';
import {
  busLog,
  kafkajsLogCreator,
  parseBrokers,
  resolveKafkaBusConfig,
  type BusLogEntry,
} from './kafka-config';

describe('KafkaBus config', () => {
  const base = { brokers: ['127.0.0.1:19092'], clientId: 'test' };

  it('applies defaults', () => {
    expect(resolveKafkaBusConfig(base)).toMatchObject({
      partitions: 6,
      replicationFactor: undefined,
      compression: 'none',
      createTopics: true,
      logLevel: 'error',
      redeliveryDelayMs: 200,
      maxRedeliveryDelayMs: 5_000,
      maxBatchBytes: 1_000_000,
    });
  });

  it.each([
    [{ brokers: [] }, /brokers must be a non-empty list of host:port/],
    [{ brokers: ['localhost'] }, /brokers/],
    [{ clientId: '' }, /clientId/],
    [{ partitions: 0 }, /partitions must be an integer >= 1, got 0/],
    [{ replicationFactor: 1.5 }, /replicationFactor/],
    [{ compression: 'snappy' }, /compression must be "gzip" or "none"/],
    [{ logLevel: 'loud' }, /logLevel must be one of/],
    [
      { redeliveryDelayMs: 500, maxRedeliveryDelayMs: 100 },
      /maxRedeliveryDelayMs must be an integer >= 500/,
    ],
  ])('refuses %j', (override, message) => {
    expect(() => resolveKafkaBusConfig({ ...base, ...(override as object) })).toThrow(
      InvalidBusArgumentError,
    );
    expect(() => resolveKafkaBusConfig({ ...base, ...(override as object) })).toThrow(message);
  });

  it('parses a comma-separated broker list', () => {
    expect(parseBrokers(' a:1, b:2 ,,')).toEqual(['a:1', 'b:2']);
  });

  it('filters by level and downgrades the protocol errors kafkajs retries', () => {
    const lines: BusLogEntry[] = [];
    const config = resolveKafkaBusConfig({
      ...base,
      logLevel: 'warn',
      logger: (entry) => lines.push(entry),
    });
    busLog(config)('info', 'hidden');
    busLog(config)('warn', 'shown', { n: 1 });
    const kafkajs = kafkajsLogCreator(config)(logLevel.WARN);
    const log = (level: logLevel, namespace: string, message: string) =>
      kafkajs({
        namespace,
        level,
        label: '',
        log: { message, timestamp: 'now', logger: 'kafkajs', extra: 1 } as never,
      });
    log(logLevel.ERROR, 'Connection', 'Response Heartbeat(key: 12, version: 3)');
    log(logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded');
    expect(lines).toEqual([
      { level: 'warn', namespace: 'bus', message: 'shown', extra: { n: 1 } },
      {
        level: 'warn',
        namespace: 'kafkajs/Connection',
        message: 'Response Heartbeat(key: 12, version: 3)',
        extra: { extra: 1 },
      },
      {
        level: 'error',
        namespace: 'kafkajs/Consumer',
        message: 'Crash: KafkaJSNumberOfRetriesExceeded',
        extra: { extra: 1 },
      },
    ]);
  });
});
