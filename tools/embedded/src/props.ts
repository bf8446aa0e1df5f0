// The host's own bodies: crates and balls (`crate-N` / `ball-N`), dropped into a new world
// through its physics engine, and one of them kicked now and then so the world never rests.
import {
  bodyKindToWire,
  bodyShapeToWire,
  type EngineClient,
  type WorldConfig,
} from '@anvil/engine-contract';

/** The ids of the host's props. */
export const PROP_ID = /^(crate|ball)-\d+$/;

/** A small deterministic PRNG, seeded from the world id, so a world's props look the same every run. */
export function rng(seedText: string): () => number {
  let h = 2166136261;
  for (const c of seedText) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Drops `count` crates and balls into a new world (the same layout every run); returns their ids. */
export async function spawnProps(
  physics: EngineClient,
  worldId: string,
  config: WorldConfig | undefined,
  count: number,
  random: () => number,
): Promise<string[]> {
  const width = config?.widthMm || 40_000;
  const height = config?.heightMm || 20_000;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const ball = i % 2 === 1;
    const half = ball ? 300 + Math.round(random() * 350) : 400 + Math.round(random() * 500);
    const value = {
      bodyId: `${ball ? 'ball' : 'crate'}-${i + 1}`,
      kind: bodyKindToWire('dynamic'),
      shape: bodyShapeToWire(ball ? 'ball' : 'box'),
      halfWidthMm: half,
      halfHeightMm: half,
      xMm: Math.round(1_500 + random() * (width - 3_000)),
      yMm: Math.round(height * 0.3 + random() * height * 0.55),
      vxMmS: Math.round((random() - 0.5) * 4_000),
      vyMmS: 0,
      lockRotation: false,
    };
    await physics.applyCommand({ worldId, command: { kind: { $case: 'spawnBody', value } } });
    ids.push(value.bodyId);
  }
  return ids;
}

/**
 * Kicks one of `props` upwards every 2 s through the engine `physics()` names then (none: the
 * world is between engines, that kick is skipped); returns the timer (clear it to stop).
 */
export function kickProps(
  physics: () => EngineClient | undefined,
  worldId: string,
  props: readonly string[],
  random: () => number,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    const value = {
      bodyId: props[Math.floor(random() * props.length)],
      vxMmS: Math.round((random() - 0.5) * 8_000),
      vyMmS: 3_000 + Math.round(random() * 5_000),
    };
    physics()
      ?.applyCommand({ worldId, command: { kind: { $case: 'setVelocity', value } } })
      .catch(() => undefined);
  }, 2_000);
  timer.unref();
  return timer;
}
