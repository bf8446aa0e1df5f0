import { ConfigError, loadInteractionConfig } from './interaction-config';

const ENGINE_TOKEN = 'test-engine-token-0123456789';

describe('loadInteractionConfig', () => {
  it('fills defaults', () => {
    const config = loadInteractionConfig({ ENGINE_TOKEN });
    expect(config.engineToken).toBe(ENGINE_TOKEN);
    expect(config.limits).toEqual({
      maxWorlds: 64,
      maxWorldsPerCaller: 32,
      maxCallsPerSecond: 5_000,
      maxQueuedCommandsPerWorld: 1_024,
    });
    expect(config.grpc).toEqual({
      host: '0.0.0.0',
      port: 50052,
      maxMessageBytes: 16 * 1024 * 1024,
    });
    expect(config.physics).toEqual({ address: '127.0.0.1:50051', deadlineMs: 2_000 });
    expect(config.rules).toEqual({
      maxPlayersPerWorld: 64,
      maxPlayerSpeedMmS: 8_000,
      jumpSpeedMmS: 6_000,
      jumpCooldownMs: 500,
      playerRadiusMm: 300,
      maxCommandsPerSecond: 60,
    });
    expect(config.bus.kind).toBe('memory');
  });

  it('names every bad variable', () => {
    expect(() => loadInteractionConfig({ PHYSICS_ENGINE_ADDRESS: 'nowhere' })).toThrow(ConfigError);
    expect(() =>
      loadInteractionConfig({ PHYSICS_ENGINE_ADDRESS: 'nowhere', JUMP_COOLDOWN_MS: '-1' }),
    ).toThrow(/PHYSICS_ENGINE_ADDRESS: expected host:port.*JUMP_COOLDOWN_MS/);
    expect(() => loadInteractionConfig({ ENGINE_TOKEN, BUS: 'kafka' })).toThrow(
      /KAFKA_BROKERS: required when BUS=kafka/,
    );
  });

  it('refuses to start without an engine token, or with a short one', () => {
    expect(() => loadInteractionConfig({})).toThrow(/ENGINE_TOKEN: required/);
    expect(() => loadInteractionConfig({ ENGINE_TOKEN: 'short' })).toThrow(
      /ENGINE_TOKEN: must be at least 16 characters/,
    );
  });
});
