import {
  DEFAULT_WORLD_SETTINGS,
  type BodySpec,
  type PhysicsIntent,
  type WorldSettings,
} from '@anvil/engine-contract';
import { loadRapier } from './rapier';
import { WorldSimulation, type SimulationOptions } from './world-simulation';

/** Helpers shared by the simulation's tests (and the fresh-process restore script). */
export const TEST_OPTIONS: SimulationOptions = { dtSeconds: 1 / 60, maxQueuedIntents: 1024 };
export const TEST_SETTINGS: WorldSettings = {
  ...DEFAULT_WORLD_SETTINGS,
  widthMm: 10_000,
  heightMm: 10_000,
  maxBodies: 100,
};

/** A dynamic ball spec. */
export function ball(id: string, xMm: number, yMm: number, radiusMm = 250): BodySpec {
  return {
    id,
    kind: 'dynamic',
    shape: 'ball',
    halfWidthMm: radiusMm,
    halfHeightMm: radiusMm,
    xMm,
    yMm,
    vxMmS: 0,
    vyMmS: 0,
    lockRotation: false,
  };
}

/** A fresh simulation with the test settings. */
export async function newSimulation(
  settings: WorldSettings = TEST_SETTINGS,
): Promise<WorldSimulation> {
  return WorldSimulation.create(await loadRapier(), settings, TEST_OPTIONS);
}

/** Queues intents, ignoring the ones the world refuses (as a client would see an error). */
export function enqueueAll(sim: WorldSimulation, intents: PhysicsIntent[]): void {
  for (const intent of intents) {
    try {
      sim.enqueue(intent);
    } catch {
      // refused: nothing changed
    }
  }
}
