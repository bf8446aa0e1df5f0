import { ConfigError, loadTagConfig } from './tag-config';

const ENGINE_TOKEN = 'test-engine-token-0123456789';

describe('loadTagConfig', () => {
  it('fills defaults: port 50053, module tag-game, reach 3 player radii, 2 s without tag-back', () => {
    const config = loadTagConfig({ ENGINE_TOKEN });
    expect(config.grpc.port).toBe(50053);
    expect(config.module).toBe('tag-game');
    expect(config.physics).toEqual({ address: '127.0.0.1:50051', deadlineMs: 2_000 });
    expect(config.rules).toEqual({
      maxPlayersPerWorld: 16,
      maxPlayerSpeedMmS: 8_000,
      jumpSpeedMmS: 6_000,
      jumpCooldownMs: 500,
      playerRadiusMm: 300,
      maxCommandsPerSecond: 60,
      reachMm: 900,
      noTagBackMs: 2_000,
    });
  });

  it('measures the reach in player radii', () => {
    const config = loadTagConfig({ ENGINE_TOKEN, PLAYER_RADIUS_MM: '500', TAG_REACH_RADII: '4' });
    expect(config.rules.reachMm).toBe(2_000);
  });

  it('names every bad variable, and keeps worlds small enough for their game state', () => {
    expect(() => loadTagConfig({ ENGINE_TOKEN, MAX_PLAYERS_PER_WORLD: '129' })).toThrow(
      ConfigError,
    );
    expect(() =>
      loadTagConfig({ ENGINE_TOKEN, TAG_REACH_RADII: '1', NO_TAG_BACK_MS: '-5' }),
    ).toThrow(/TAG_REACH_RADII.*NO_TAG_BACK_MS/s);
    expect(() => loadTagConfig({})).toThrow(/ENGINE_TOKEN: required/);
  });
});
