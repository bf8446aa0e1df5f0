import { ConfigError, loadGatewayConfig } from './gateway-config';

const SECRET = 'a-secret-of-sixteen-plus';
const ENGINE_TOKEN = 'an-engine-token-16-plus';

describe('loadGatewayConfig', () => {
  it('fills defaults and coerces numbers and booleans', () => {
    const config = loadGatewayConfig({
      JWT_SECRET: SECRET,
      ENGINE_TOKEN,
      PORT: '8080',
      DATABASE_MIGRATE: 'false',
      RATE_LIMIT_BURST: '7',
    });
    expect(config).toMatchObject({
      http: { host: '0.0.0.0', port: 8080, corsOrigins: [] },
      jwt: {
        key: { algorithm: 'HS256', secret: SECRET },
        clockToleranceS: 5,
        maxLifetimeS: 86_400,
        maxTokenBytes: 8_192,
      },
      engine: { interactionAddress: '127.0.0.1:50052', deadlineMs: 2_000, token: ENGINE_TOKEN },
      bus: { kind: 'memory', kafkaBrokers: [] },
      storage: { url: 'pglite://memory', migrate: false },
      worlds: { readyPhases: ['Ready'], maxPerConnection: 4 },
      limits: { rateBurst: 7, maxMessageBytes: 1_048_576, maxEventBytes: 4_096 },
    });
    expect(config.instanceId).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('reads an RS256 public key and Kafka settings', () => {
    const config = loadGatewayConfig({
      ENGINE_TOKEN,
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
      BUS: 'kafka',
      KAFKA_BROKERS: 'a:9092, b:9092',
      WORLD_READY_PHASES: 'Ready,Running',
    });
    expect(config.jwt.key.algorithm).toBe('RS256');
    expect(config.bus.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(config.worlds.readyPhases).toEqual(['Ready', 'Running']);
  });

  it.each([
    ['no key', {}, /set exactly one/],
    [
      'both keys',
      { JWT_SECRET: SECRET, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' },
      /set exactly one/,
    ],
    ['a short secret', { JWT_SECRET: 'short' }, /JWT_SECRET/],
    ['a bad port', { JWT_SECRET: SECRET, PORT: 'eighty' }, /PORT: must be integer/],
    [
      'a bad engine address',
      { JWT_SECRET: SECRET, INTERACTION_ENGINE_ADDRESS: 'nowhere' },
      /INTERACTION_ENGINE_ADDRESS/,
    ],
    ['kafka without brokers', { JWT_SECRET: SECRET, BUS: 'kafka' }, /KAFKA_BROKERS: required/],
    [
      'an unknown bus',
      { JWT_SECRET: SECRET, BUS: 'redis' },
      /BUS: must be equal to one of the allowed values/,
    ],
    ['no engine token', { JWT_SECRET: SECRET }, /ENGINE_TOKEN: required/],
    [
      'a short engine token',
      { JWT_SECRET: SECRET, ENGINE_TOKEN: 'short' },
      /ENGINE_TOKEN: must NOT have fewer than 16 characters/,
    ],
    [
      'an event limit above the message limit',
      { JWT_SECRET: SECRET, MAX_EVENT_BYTES: '100000', MAX_MESSAGE_BYTES: '2048' },
      /MAX_EVENT_BYTES/,
    ],
    [
      'a token lifetime under a minute',
      { JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '10' },
      /JWT_MAX_LIFETIME_SECONDS/,
    ],
  ])('refuses %s, naming the variable', (_name, env, message) => {
    expect(() => loadGatewayConfig(env)).toThrow(ConfigError);
    expect(() => loadGatewayConfig(env)).toThrow(message);
  });

  it('treats empty variables as unset', () => {
    expect(
      loadGatewayConfig({ JWT_SECRET: SECRET, ENGINE_TOKEN, PORT: '', KAFKA_BROKERS: '' }).http
        .port,
    ).toBe(3000);
  });
});
