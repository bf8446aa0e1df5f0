// From resolved worlds to the engines this process runs: which app serves which module, on
// which port, wired to which other engine. The rule is the cluster's: a module's image names
// the app that implements it (ghcr.io/anvil-dev/physics-engine:1.3.0 -> apps/physics-engine),
// it listens on its manifest's endpoint port, and it reaches what it requires at the endpoint
// of the provider its CapabilityBinding names.

/** The capability the gateway sends player commands to (it is the implicit consumer). */
const GATEWAY_CAPABILITY = 'game.interaction';

/**
 * The apps this host can run, like the services of a compose file: the built files to load,
 * and the environment each gets. `bindings` maps an environment variable to the capability
 * whose bound provider's address it receives; `usesStorage` apps get the host's storage.
 */
const APPS = {
  'physics-engine': {
    role: 'physics',
    config: 'config/physics-config',
    loadConfig: 'loadPhysicsConfig',
    bindings: {},
    // checkpoints its worlds in the host's storage, and restores them at the next start
    usesStorage: true,
    env: (worlds) => ({
      TICK_HZ: String(Math.max(...worlds.map((w) => w.world.spec.limits?.tickRateHz || 30))),
    }),
  },
  'interaction-engine': {
    role: 'interaction',
    config: 'config/interaction-config',
    loadConfig: 'loadInteractionConfig',
    bindings: { PHYSICS_ENGINE_ADDRESS: 'physics.simulation' },
    env: (worlds) => ({
      MAX_PLAYERS_PER_WORLD: String(
        Math.max(...worlds.map((w) => w.world.spec.limits?.maxPlayers || 64)),
      ),
    }),
  },
};

/** The app an image names: the last path segment of its repository (tag and digest dropped). */
function appOfImage(image) {
  const repo = String(image || '').split('@')[0];
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  const name = last.includes(':') ? last.slice(0, last.indexOf(':')) : last;
  return Object.prototype.hasOwnProperty.call(APPS, name) ? name : undefined;
}

const label = (p) => `${p.module}@${p.version}`;

/**
 * Computes the engines to run for the given planned worlds. Returns
 * `{ engines: EngineSpec[], gatewayPort, worlds: Map<id, WorldWiring> }` where an EngineSpec is
 * `{ port, app, module, version, manifestName, image, env, deps: {VAR: port}, worlds: [ids] }`
 * and a WorldWiring is `{ runnable, reason?, message?, entryPort?, ports: [] , services: [...] }`.
 */
function computeWiring(plans) {
  const engines = new Map(); // endpoint port -> spec
  const worlds = new Map();
  let gatewayPort;
  for (const plan of plans) {
    const w = wireWorld(plan);
    if (w.runnable) {
      // Every engine this world needs must fit with what earlier worlds need on the same ports.
      const conflict = w.engines.find((e) => {
        const other = engines.get(e.port);
        return (
          other &&
          (other.app !== e.app ||
            other.module !== e.module ||
            other.version !== e.version ||
            JSON.stringify(other.deps) !== JSON.stringify(e.deps))
        );
      });
      if (conflict) {
        const other = engines.get(conflict.port);
        worlds.set(
          plan.id,
          notRunnable(
            'PortConflict',
            `${label(conflict)} needs port ${conflict.port}, which ${other.module}@${other.version} (for world ${other.worlds[0]}) already uses in this process`,
          ),
        );
        continue;
      }
      if (gatewayPort !== undefined && gatewayPort !== w.entryPort) {
        worlds.set(
          plan.id,
          notRunnable(
            'OtherInteractionEngine',
            `its game's ${GATEWAY_CAPABILITY} provider listens on port ${w.entryPort}, but the embedded gateway talks to the one on port ${gatewayPort}`,
          ),
        );
        continue;
      }
      gatewayPort = w.entryPort;
      for (const e of w.engines) {
        const existing = engines.get(e.port);
        if (existing) existing.worlds.push(plan.id);
        else engines.set(e.port, { ...e, worlds: [plan.id] });
      }
      worlds.set(plan.id, {
        runnable: true,
        entryPort: w.entryPort,
        ports: w.engines.map((e) => e.port),
        services: w.services,
      });
    } else {
      worlds.set(plan.id, w);
    }
  }
  const planById = new Map(plans.map((p) => [p.id, p]));
  const list = [...engines.values()].sort((a, b) => a.port - b.port);
  for (const e of list) e.env = APPS[e.app].env(e.worlds.map((id) => planById.get(id)));
  return { engines: list, gatewayPort, worlds };
}

function notRunnable(reason, message) {
  return { runnable: false, reason, message, ports: [], services: [] };
}

/** The engines one world needs, or why embedded mode cannot run it. */
function wireWorld(plan) {
  if (!plan.resolved)
    return notRunnable(
      'Unresolved',
      'the world has unresolved required capabilities; see the Resolved condition',
    );
  const byModule = new Map(plan.participants.map((p) => [p.module, p]));
  const entries = plan.participants.filter((p) =>
    (p.manifest?.spec.provides || []).some((c) => c.capabilityId === GATEWAY_CAPABILITY),
  );
  if (entries.length === 0)
    return notRunnable(
      'NoInteractionModule',
      `no module of game ${plan.game?.metadata.name} provides ${GATEWAY_CAPABILITY}, the capability the gateway sends player commands to`,
    );
  const entry = entries[0];
  const engines = [];
  const services = [];
  const visit = (participant, via) => {
    const app = appOfImage(participant.manifest?.spec.image);
    if (!app) {
      return `${label(participant)}${via ? ` (bound for ${via})` : ''} has image ${participant.manifest?.spec.image}, which names no app this host can run (${Object.keys(APPS).join(', ')})`;
    }
    const port = participant.manifest.spec.endpoint.port;
    if (engines.some((e) => e.port === port)) return undefined;
    const spec = {
      port,
      app,
      module: participant.module,
      version: participant.version,
      manifestName: participant.manifestName,
      image: participant.manifest.spec.image,
      protocol: participant.manifest.spec.endpoint.protocol,
      deps: {},
    };
    engines.push(spec);
    services.push({
      role: APPS[app].role,
      app,
      module: participant.module,
      version: participant.version,
      port,
      via: via || GATEWAY_CAPABILITY,
    });
    for (const [variable, capabilityId] of Object.entries(APPS[app].bindings)) {
      const binding = plan.resolution.bindings.find(
        (b) => b.consumer === participant.module && b.capabilityId === capabilityId,
      );
      if (!binding)
        return `${label(participant)} has no binding for ${capabilityId}, which ${app} needs (${variable})`;
      const provider = byModule.get(binding.provider);
      if (!provider?.manifest)
        return `the provider ${binding.provider} of ${capabilityId} is not a participant of the game`;
      const problem = visit(provider, capabilityId);
      if (problem) return problem;
      spec.deps[variable] = provider.manifest.spec.endpoint.port;
    }
    return undefined;
  };
  const problem = visit(entry);
  if (problem) return notRunnable('ProviderNotEmbedded', problem);
  return { runnable: true, entryPort: entry.manifest.spec.endpoint.port, engines, services };
}

/** A key that changes when the engines to run (or their wiring) change. */
function wiringKey(wiring) {
  return JSON.stringify({
    engines: wiring.engines.map(({ port, app, module, version, deps, env }) => ({
      port,
      app,
      module,
      version,
      deps,
      env,
    })),
    gatewayPort: wiring.gatewayPort,
  });
}

module.exports = { computeWiring, wiringKey, appOfImage, APPS, GATEWAY_CAPABILITY };
