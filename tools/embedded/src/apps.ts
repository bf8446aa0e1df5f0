// The apps this host can run, like the services of a compose file. The rule is the cluster's:
// a module's image names the app that implements it (ghcr.io/anvil-dev/physics-engine:1.3.0
// -> the physics-engine app), it listens on its manifest's endpoint port, and it reaches what
// it requires at the endpoint of the provider its CapabilityBinding names.
import type { Plan } from './plans';

export type AppName = 'physics-engine' | 'interaction-engine' | 'tag-game';

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

/** A game module (built on @anvil/game-host): in front of its physics binding's provider. */
function gameModule(): AppSpec {
  return {
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
  };
}

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
  'interaction-engine': gameModule(),
  'tag-game': gameModule(),
};

const limitsOf = (plan: Plan) => plan.world.spec.limits ?? {};

/**
 * Apps that consume the bus and serve HTTP, started once for every world that binds them (not
 * engines: nothing calls them per world).
 */
export type SinkName = 'analytics';
const SINKS: readonly SinkName[] = ['analytics'];

const isApp = (name: string): name is AppName => Object.prototype.hasOwnProperty.call(APPS, name);

/** The app name an image names: the last path segment of its repository (tag and digest dropped). */
function nameOfImage(image: string | undefined): string {
  const repo = String(image || '').split('@')[0];
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return last.includes(':') ? last.slice(0, last.indexOf(':')) : last;
}

/** The engine app an image names, if this host can run it. */
export function appOfImage(image: string | undefined): AppName | undefined {
  const name = nameOfImage(image);
  return isApp(name) ? name : undefined;
}

/** The sink app an image names, if this host can run it. */
export function sinkOfImage(image: string | undefined): SinkName | undefined {
  const name = nameOfImage(image);
  return SINKS.find((sink) => sink === name);
}
