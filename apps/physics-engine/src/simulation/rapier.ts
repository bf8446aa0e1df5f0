import * as RAPIER from '@dimforge/rapier2d-deterministic-compat';

/** The Rapier module (deterministic build, WASM inlined). */
export type Rapier = typeof RAPIER;

let ready: Promise<Rapier> | undefined;

/** Initialises Rapier's WASM once per process and returns the module. */
export function loadRapier(): Promise<Rapier> {
  ready ??= RAPIER.init().then(() => RAPIER);
  return ready;
}
