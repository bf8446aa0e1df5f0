import { ConfigError, loadPhysicsConfig } from './physics-config';

const ENGINE_TOKEN = 'test-engine-token-0123456789';

describe('loadPhysicsConfig', () => {
  it('fills defaults', () => {
    expect(loadPhysicsConfig({ ENGINE_TOKEN })).toEqual({
      grpc: { host: '0.0.0.0', port: 50051, maxMessageBytes: 16 * 1024 * 1024 },
      engineToken: ENGINE_TOKEN,
      tick: { hz: 30, mode: 'auto', maxCatchUpSteps: 5 },
      limits: {
        maxWorlds: 64,
        maxWorldsPerCaller: 32,
        maxBodiesPerWorld: 10_000,
        maxBodiesTotal: 20_000,
        maxQueuedCommands: 4_096,
        maxCallsPerSecond: 5_000,
      },
      bus: {
        kind: 'memory',
        kafkaBrokers: [],
        kafkaClientId: 'anvil-physics-engine',
        topicPrefix: undefined,
      },
      shutdownTimeoutMs: 10_000,
      checkpoint: { everyTicks: 300, keep: 5 },
      databaseUrl: undefined,
      ownership: {
        replicaId: undefined,
        advertiseAddress: undefined,
        leaseTtlMs: 1_000,
        renewEveryMs: 250,
      },
      rebalance: false,
    });
  });

  it('reads the ownership settings and refuses a renewal period over half the lease', () => {
    const config = loadPhysicsConfig({
      ENGINE_TOKEN,
      REPLICA_ID: 'physics-2',
      ADVERTISE_ADDRESS: 'physics-2.physics.anvil.svc:50051',
      WORLD_LEASE_TTL_MS: '3000',
      WORLD_LEASE_RENEW_MS: '1000',
    });
    expect(config.ownership).toEqual({
      replicaId: 'physics-2',
      advertiseAddress: 'physics-2.physics.anvil.svc:50051',
      leaseTtlMs: 3_000,
      renewEveryMs: 1_000,
    });
    expect(() =>
      loadPhysicsConfig({ ENGINE_TOKEN, WORLD_LEASE_TTL_MS: '1000', WORLD_LEASE_RENEW_MS: '600' }),
    ).toThrow(/WORLD_LEASE_RENEW_MS \(600\) must be at most half of WORLD_LEASE_TTL_MS/);
    expect(() => loadPhysicsConfig({ ENGINE_TOKEN, WORLD_LEASE_TTL_MS: '5' })).toThrow(
      /WORLD_LEASE_TTL_MS/,
    );
  });

  it('parses the environment', () => {
    const config = loadPhysicsConfig({
      ENGINE_TOKEN,
      GRPC_PORT: '0',
      TICK_HZ: '60',
      TICK_MODE: 'manual',
      BUS: 'kafka',
      KAFKA_BROKERS: 'a:9092, b:9092',
      CHECKPOINT_EVERY_TICKS: '0',
      CHECKPOINT_KEEP: '3',
      DATABASE_URL: 'pglite://memory',
      MODULE_VERSION: '1.5.0',
    });
    expect(config.version).toBe('1.5.0');
    expect(loadPhysicsConfig({ ENGINE_TOKEN, WORLD_REBALANCE: 'true' }).rebalance).toBe(true);
    expect(() => loadPhysicsConfig({ ENGINE_TOKEN, WORLD_REBALANCE: 'yes' })).toThrow(
      /WORLD_REBALANCE/,
    );
    expect(() => loadPhysicsConfig({ ENGINE_TOKEN, MODULE_VERSION: '1.5.0; rm -rf' })).toThrow(
      /MODULE_VERSION: expected a SemVer version/,
    );
    expect(config.checkpoint).toEqual({ everyTicks: 0, keep: 3 });
    expect(config.databaseUrl).toBe('pglite://memory');
    expect(config.grpc.port).toBe(0);
    expect(config.tick).toMatchObject({ hz: 60, mode: 'manual' });
    expect(config.bus.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
  });

  it('serves /metrics only when METRICS_PORT is set, and refuses a bad one', () => {
    expect(loadPhysicsConfig({ ENGINE_TOKEN }).metrics).toBeUndefined();
    expect(loadPhysicsConfig({ ENGINE_TOKEN, METRICS_PORT: '9464' }).metrics).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(
      loadPhysicsConfig({ ENGINE_TOKEN, METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }).metrics,
    ).toEqual({ host: '127.0.0.1', port: 0 });
    expect(() => loadPhysicsConfig({ ENGINE_TOKEN, METRICS_PORT: '70000' })).toThrow(
      /METRICS_PORT/,
    );
  });

  it('names every bad variable', () => {
    expect(() => loadPhysicsConfig({ TICK_HZ: 'fast', GRPC_PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadPhysicsConfig({ TICK_HZ: 'fast', GRPC_PORT: '70000' })).toThrow(
      /GRPC_PORT.*TICK_HZ|TICK_HZ.*GRPC_PORT/,
    );
    expect(() => loadPhysicsConfig({ ENGINE_TOKEN, BUS: 'kafka' })).toThrow(
      /KAFKA_BROKERS: required when BUS=kafka/,
    );
  });

  it('refuses to start without an engine token, or with a short one', () => {
    expect(() => loadPhysicsConfig({})).toThrow(/ENGINE_TOKEN: required/);
    expect(() => loadPhysicsConfig({ ENGINE_TOKEN: 'short' })).toThrow(
      /ENGINE_TOKEN: must be at least 16 characters/,
    );
  });
});
