import { z } from 'zod';
import { ConfigError } from './config-error';
import { int, list, parseEnv, withoutBlanks } from './env';
import { busEnv, busIssues, shutdownEnv, toBusConfig } from './shared-env';

const schema = z.object({
  PORT: int(0, 65_535).default(3000),
  ...busEnv('anvil-test'),
  ...shutdownEnv,
});
const parse = (env: Record<string, string>) => parseEnv('test', schema, env, busIssues);

describe('parseEnv', () => {
  it('fills defaults and coerces numbers', () => {
    expect(parse({ PORT: '8080' })).toMatchObject({
      PORT: 8080,
      BUS: 'memory',
      KAFKA_CLIENT_ID: 'anvil-test',
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });

  it('names every bad variable in one coded ConfigError, the cross-variable rules included', () => {
    let error: unknown;
    try {
      parse({ PORT: 'eighty', SHUTDOWN_TIMEOUT_MS: '700000', BUS: 'kafka' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      app: 'test',
      issues: [
        'PORT: must be integer',
        'SHUTDOWN_TIMEOUT_MS: must be <= 600000',
        'KAFKA_BROKERS: required when BUS=kafka',
      ],
    });
    expect((error as Error).message).toMatch(/^invalid test config: PORT: must be integer; /);
  });

  it.each([
    [{ PORT: '-1' }, /PORT: must be >= 0/],
    [{ PORT: '1.5' }, /PORT: must be integer/],
    [{ BUS: 'redis' }, /BUS: must be equal to one of the allowed values/],
    [{ BUS_TOPIC_PREFIX: 'a b' }, /BUS_TOPIC_PREFIX: must match pattern/],
  ])('refuses %j', (env, message) => {
    expect(() => parse(env)).toThrow(message);
  });
});

describe('bus variables', () => {
  it('become the config createBus takes', () => {
    const e = parse({ BUS: 'kafka', KAFKA_BROKERS: 'a:9092, b:9092,', BUS_TOPIC_PREFIX: '' });
    expect(toBusConfig(e)).toEqual({
      kind: 'kafka',
      kafkaBrokers: ['a:9092', 'b:9092'],
      kafkaClientId: 'anvil-test',
      topicPrefix: undefined,
    });
  });
});

describe('helpers', () => {
  it('list splits on commas and drops blanks', () => {
    expect(list(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(list(undefined)).toEqual([]);
  });

  it('withoutBlanks treats empty variables as unset, but the kept ones', () => {
    expect(withoutBlanks({ A: '', B: 'b', C: '' }, ['C'])).toEqual({ B: 'b', C: '' });
  });
});
