import { ConfigError, loadAnalyticsConfig } from './analytics-config';

describe('loadAnalyticsConfig', () => {
  it('fills defaults', () => {
    expect(loadAnalyticsConfig({})).toEqual({
      http: { host: '0.0.0.0', port: 8090 },
      bus: {
        kind: 'memory',
        kafkaBrokers: [],
        kafkaClientId: 'anvil-analytics',
        topicPrefix: undefined,
      },
      databaseUrl: 'pglite://memory',
      group: 'anvil-analytics',
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
  });

  it('reads every variable', () => {
    const config = loadAnalyticsConfig({
      HOST: '127.0.0.1',
      PORT: '9100',
      BUS: 'kafka',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      BUS_TOPIC_PREFIX: 'staging',
      DATABASE_URL: 'postgresql://a:b@db:5432/anvil?schema=analytics',
      ANALYTICS_GROUP: 'team-figures',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '2000',
      UNRELATED: 'ignored',
    });
    expect(config).toMatchObject({
      http: { host: '127.0.0.1', port: 9100 },
      bus: { kind: 'kafka', kafkaBrokers: ['k1:9092', 'k2:9092'], topicPrefix: 'staging' },
      databaseUrl: 'postgresql://a:b@db:5432/anvil?schema=analytics',
      group: 'team-figures',
      logLevel: 'warn',
      shutdownTimeoutMs: 2000,
    });
  });

  it('names every bad variable in one ConfigError', () => {
    const error = (() => {
      try {
        loadAnalyticsConfig({
          PORT: '70000',
          BUS: 'kafka',
          ANALYTICS_GROUP: 'no spaces',
          LOG_LEVEL: 'loud',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'ANALYTICS_GROUP', 'LOG_LEVEL', 'KAFKA_BROKERS', 'DATABASE_URL'])
      expect(message).toContain(name);
  });

  it('accepts Kafka with a database that outlives the process', () => {
    const env = { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(() => loadAnalyticsConfig(env)).toThrow(/DATABASE_URL/);
    expect(loadAnalyticsConfig({ ...env, DATABASE_URL: 'pglite://.data/analytics' })).toMatchObject(
      { databaseUrl: 'pglite://.data/analytics' },
    );
  });
});
