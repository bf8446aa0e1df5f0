// From resolved worlds to the engines this process runs: which app serves which module, on
// which port, wired to which other engine (docs/embedded.md, "Engines reached at their
// binding's endpoints").
import { ENTRY_CAPABILITY } from '@anvil/capability-model';
import { APPS, appOfImage, sinkOfImage, type AppName, type SinkName } from './apps';
import type { Plan, PlannedParticipant } from './plans';

/** An engine to run: one module's app on its endpoint port. */
export interface EngineSpec {
  port: number;
  app: AppName;
  module: string;
  version: string;
  manifestName: string;
  image: string;
  /** Environment variable -> endpoint port of the engine whose address it receives. */
  deps: Record<string, number>;
  env: Record<string, string>;
  worlds: string[];
}

/** A sink to run (the analytics module): one per module, for every world that binds it. */
export interface SinkSpec {
  port: number;
  app: SinkName;
  module: string;
  version: string;
  manifestName: string;
  worlds: string[];
}

/** An engine a world uses, and why (the capability it is bound for). */
export interface Service {
  role: 'physics' | 'interaction';
  app: AppName;
  module: string;
  version: string;
  port: number;
  via: string;
}

/** Whether (and on which engines) a world runs here. */
export type WorldWiring =
  | { runnable: true; entryPort: number; ports: number[]; services: Service[] }
  | { runnable: false; reason: string; message: string; ports: []; services: [] };

export interface Wiring {
  engines: EngineSpec[];
  /**
   * The entry port of the first runnable world: the gateway's INTERACTION_ENGINE_ADDRESS, for a
   * record without an entry binding. Each world's own entry is in its record.
   */
  defaultEntryPort: number | undefined;
  worlds: Map<string, WorldWiring>;
  /** The sinks the runnable worlds bind, by endpoint port. */
  sinks: SinkSpec[];
}

const label = (p: { module: string; version: string }) => `${p.module}@${p.version}`;

function notRunnable(reason: string, message: string): WorldWiring {
  return { runnable: false, reason, message, ports: [], services: [] };
}

/** The engines to run for the planned worlds; worlds that do not fit are not runnable. */
export function computeWiring(plans: readonly Plan[]): Wiring {
  const engines = new Map<number, EngineSpec>();
  const sinks = new Map<number, SinkSpec>();
  const worlds = new Map<string, WorldWiring>();
  let defaultEntryPort: number | undefined;
  for (const plan of plans) {
    const w = wireWorld(plan);
    if (!('engines' in w)) {
      worlds.set(plan.id, w);
      continue;
    }
    const conflict = w.engines.find((e) => {
      const other = engines.get(e.port);
      return other && engineKey(other) !== engineKey(e);
    });
    if (conflict) {
      const other = engines.get(conflict.port) as EngineSpec;
      const message = `${label(conflict)} needs port ${conflict.port}, which ${label(other)} (for world ${other.worlds[0]}) already uses in this process`;
      worlds.set(plan.id, notRunnable('PortConflict', message));
      continue;
    }
    defaultEntryPort ??= w.entryPort;
    for (const e of w.engines) {
      const existing = engines.get(e.port);
      if (existing) existing.worlds.push(plan.id);
      else engines.set(e.port, { ...e, worlds: [plan.id] });
    }
    const ports = w.engines.map((e) => e.port);
    worlds.set(plan.id, { runnable: true, entryPort: w.entryPort, ports, services: w.services });
    addSinks(plan, sinks, engines);
  }
  const planById = new Map(plans.map((p) => [p.id, p]));
  const list = [...engines.values()].sort((a, b) => a.port - b.port);
  for (const e of list)
    e.env = APPS[e.app].env(
      e.worlds.map((id) => planById.get(id) as Plan),
      e.module,
    );
  const sinkList = [...sinks.values()].sort((a, b) => a.port - b.port);
  return { engines: list, defaultEntryPort, worlds, sinks: sinkList };
}

/** The sinks a runnable world's bindings name (a sink on an engine's port is not run). */
function addSinks(
  plan: Plan,
  sinks: Map<number, SinkSpec>,
  engines: ReadonlyMap<number, EngineSpec>,
): void {
  for (const binding of plan.resolution.bindings) {
    const provider = plan.participants.find((p) => p.module === binding.provider);
    const app = sinkOfImage(provider?.manifest?.spec.image);
    if (!app || !provider?.manifest) continue;
    const port = provider.manifest.spec.endpoint.port;
    const existing = sinks.get(port);
    if (existing?.module === provider.module) {
      if (!existing.worlds.includes(plan.id)) existing.worlds.push(plan.id);
    } else if (!existing && !engines.has(port)) {
      const { module, version, manifestName } = provider;
      sinks.set(port, { port, app, module, version, manifestName, worlds: [plan.id] });
    }
  }
}

const engineKey = (e: Omit<EngineSpec, 'worlds' | 'env'>) =>
  JSON.stringify([e.app, e.module, e.version, e.deps]);

type Wired = { entryPort: number; engines: Omit<EngineSpec, 'worlds'>[]; services: Service[] };

/** The engines one world needs, or why embedded mode cannot run it. */
function wireWorld(plan: Plan): Wired | WorldWiring {
  if (!plan.resolved)
    return notRunnable(
      'Unresolved',
      'the world has unresolved required capabilities; see the Resolved condition',
    );
  const entry = plan.participants.find((p) =>
    (p.manifest?.spec.provides || []).some((c) => c.capabilityId === ENTRY_CAPABILITY),
  );
  if (!entry?.manifest)
    return notRunnable(
      'NoInteractionModule',
      `no module of game ${plan.game?.metadata.name} provides ${ENTRY_CAPABILITY}, the capability the gateway sends player commands to`,
    );
  const wired: Wired = { entryPort: entry.manifest.spec.endpoint.port, engines: [], services: [] };
  const problem = visit(plan, entry, undefined, wired);
  return problem ? notRunnable('ProviderNotEmbedded', problem) : wired;
}

/** Adds a participant's engine and those it is bound to; returns why it cannot run, if so. */
function visit(
  plan: Plan,
  participant: PlannedParticipant,
  via: string | undefined,
  wired: Wired,
): string | undefined {
  const manifest = participant.manifest;
  const app = appOfImage(manifest?.spec.image);
  if (!app || !manifest)
    return `${label(participant)}${via ? ` (bound for ${via})` : ''} has image ${manifest?.spec.image}, which names no app this host can run (${Object.keys(APPS).join(', ')})`;
  const port = manifest.spec.endpoint.port;
  if (wired.engines.some((e) => e.port === port)) return undefined;
  const { module, version, manifestName } = participant;
  const spec = {
    port,
    app,
    module,
    version,
    manifestName,
    image: manifest.spec.image,
    deps: {},
    env: {},
  };
  const deps: Record<string, number> = spec.deps;
  wired.engines.push(spec);
  wired.services.push({
    role: APPS[app].role,
    app,
    module,
    version,
    port,
    via: via || ENTRY_CAPABILITY,
  });
  for (const [variable, capabilityId] of Object.entries(APPS[app].bindings)) {
    const binding = plan.resolution.bindings.find(
      (b) => b.consumer === module && b.capabilityId === capabilityId,
    );
    if (!binding)
      return `${label(participant)} has no binding for ${capabilityId}, which ${app} needs (${variable})`;
    const provider = plan.participants.find((p) => p.module === binding.provider);
    if (!provider?.manifest)
      return `the provider ${binding.provider} of ${capabilityId} is not a participant of the game`;
    const problem = visit(plan, provider, capabilityId, wired);
    if (problem) return problem;
    deps[variable] = provider.manifest.spec.endpoint.port;
  }
  return undefined;
}

/** A key that changes when the engines to run (or their wiring) change. */
export function wiringKey(wiring: Wiring): string {
  return JSON.stringify({
    engines: wiring.engines.map(({ port, app, module, version, deps, env }) => ({
      port,
      app,
      module,
      version,
      deps,
      env,
    })),
    defaultEntryPort: wiring.defaultEntryPort,
    sinks: wiring.sinks.map(({ port, app, module, version }) => ({ port, app, module, version })),
  });
}
