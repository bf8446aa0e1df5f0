import { InvalidCommandError } from '../errors/engine-error';
import {
  DEFAULT_WORLD_SETTINGS,
  sameWorldSettings,
  worldSettingsFromWire,
  worldSettingsToWire,
} from './world.converter';
import { bodyViewFromWire, bodyViewToWire } from './body.converter';

describe('worldSettingsFromWire', () => {
  it('fills defaults, keeping an explicit zero gravity', () => {
    expect(worldSettingsFromWire(undefined, 50_000)).toEqual(DEFAULT_WORLD_SETTINGS);
    expect(
      worldSettingsFromWire({ widthMm: 5_000, heightMm: 0, gravityYMmS2: 0, maxBodies: 10 }, 100),
    ).toEqual({
      widthMm: 5_000,
      heightMm: DEFAULT_WORLD_SETTINGS.heightMm,
      gravityYMmS2: 0,
      maxBodies: 10,
    });
  });

  it('refuses out-of-range sizes, gravity and body caps', () => {
    expect(() => worldSettingsFromWire({ widthMm: 10, heightMm: 0, maxBodies: 0 }, 100)).toThrow(
      InvalidCommandError,
    );
    expect(() =>
      worldSettingsFromWire({ widthMm: 0, heightMm: 0, gravityYMmS2: 1e6, maxBodies: 0 }, 100),
    ).toThrow(/gravity_y_mm_s2/);
    expect(() => worldSettingsFromWire({ widthMm: 0, heightMm: 0, maxBodies: 101 }, 100)).toThrow(
      /exceeds/,
    );
  });

  it('round-trips and compares settings', () => {
    const s = worldSettingsFromWire(undefined, 100);
    expect(worldSettingsFromWire(worldSettingsToWire(s), 100)).toEqual(s);
    expect(sameWorldSettings(s, { ...s, widthMm: s.widthMm + 1 })).toBe(false);
  });
});

describe('body views', () => {
  it('round-trip', () => {
    const view = {
      id: 'b',
      kind: 'kinematic' as const,
      shape: 'box' as const,
      halfWidthMm: 1,
      halfHeightMm: 2,
      xMm: -3,
      yMm: 4,
      angleMrad: 5,
      vxMmS: -6,
      vyMmS: 7,
    };
    expect(bodyViewFromWire(bodyViewToWire(view))).toEqual(view);
  });
});
