// The apps this host can run, like the services of a compose file. The rule is the cluster's:
// a module's image names the app that implements it (ghcr.io/anvil-dev/physics-engine:1.3.0
// -> the physics-engine app), it listens on its manifest's endpoint port, and it reaches what
// it requires at the endpoint of the provider its CapabilityBinding names.
import type { Plan } from './plans';

export type AppName = 'physics-engine' | 'interaction-engine';

export interface AppSpec {
  role: 'physics' | 'interaction';
  /** Environment variable -> the capability whose bound provider's address it receives. */
  bindings: Record<string, string>;
  /** Gets the host's storage (the physics engine checkpoints its worlds there). */
  usesStorage: boolean;
  /** The environment of the app from the worlds it runs (this module's settings). */
  env(worlds: Plan[], module: string): Record<string, string>;
}

const maxOf = (values: Array<number | undefined>, fallback: number) =>
  Math.max(...values.map((v) => v || fallback));

export const APPS: Record<AppName, AppSpec> = {
  'physics-engine': {
    role: 'physics',
    bindings: {},
    usesStorage: true,
    env: (worlds) => ({
      TICK_HZ: String(
        maxOf(
          worlds.map(limitsOf).map((l) => l.tickRateHz),
          30,
        ),
      ),
    }),
  },
  'interaction-engine': {
    role: 'interaction',
    bindings: { PHYSICS_ENGINE_ADDRESS: 'physics.simulation' },
    usesStorage: false,
    env: (worlds, module) => ({
      // Init bindings whose consumer is this module are this engine's (as in a cluster).
      MODULE_NAME: module,
      MAX_PLAYERS_PER_WORLD: String(
        maxOf(
          worlds.map(limitsOf).map((l) => l.maxPlayers),
          64,
        ),
      ),
    }),
  },
};

const limitsOf = (plan: Plan) => plan.world.spec.limits ?? {};

const isApp = (name: string): name is AppName => Object.prototype.hasOwnProperty.call(APPS, name);

/** The app an image names: the last path segment of its repository (tag and digest dropped). */
export function appOfImage(image: string | undefined): AppName | undefined {
  const repo = String(image || '').split('@')[0];
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  const name = last.includes(':') ? last.slice(0, last.indexOf(':')) : last;
  return isApp(name) ? name : undefined;
}
