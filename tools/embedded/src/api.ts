// The web view's JSON API about the host: GET /api/worlds, /api/config and /api/token.
import * as path from 'node:path';
import type { WorldInstanceStatus, WorldPlacement } from '@anvil/capability-model';
import type { Bots } from './bots';
import type { Engines } from './engines';
import type { Loaded } from './folder';
import type { Plan } from './plans';
import { playerIdFrom, signToken } from './tokens';
import type { Wiring } from './wiring';

/** A player's last commands and where their time went (RecentCommands of @anvil/telemetry). */
export interface CommandHistory {
  commandsOf(playerId: string, limit?: number): unknown[];
}

/** What the API reads of the host. */
export interface HostState {
  recentCommands?: CommandHistory;
  manifests: string;
  secret: string;
  loaded: Loaded;
  plans: Plan[];
  wiring: Wiring;
  engines: Engines;
  bots: Bots;
  statusOf(id: string): WorldInstanceStatus;
}

/** A dev token for a player of the page (GET /api/token). */
export function tokenFor(host: HostState, player: string, worldId: string | undefined) {
  const playerId = playerIdFrom(player);
  const claims = worldId ? { sub: playerId, worlds: [worldId] } : { sub: playerId };
  return { playerId, token: signToken(host.secret, claims), gatewayPort: host.engines.port };
}

/** GET /api/config. */
export const configOf = (host: HostState) => ({
  gatewayPort: host.engines.port,
  gatewayUrl: host.engines.gatewayUrl,
  worlds: host.plans.map((p) => p.id),
});

function enginesOf(host: HostState) {
  return [...(host.engines.plane?.running.values() ?? [])].map((r) => ({
    app: r.spec.app,
    module: r.spec.module,
    version: r.spec.version,
    manifest: r.spec.manifestName,
    endpointPort: r.spec.port,
    address: r.address,
    env: r.env,
    worlds: r.spec.worlds,
  }));
}

function sinksOf(host: HostState) {
  return [...(host.engines.plane?.sinks.values() ?? [])].map((s) => ({
    app: s.spec.app,
    module: s.spec.module,
    version: s.spec.version,
    manifest: s.spec.manifestName,
    endpointPort: s.spec.port,
    url: s.url,
    worlds: s.spec.worlds,
  }));
}

function worldOf(
  host: HostState,
  plan: Plan,
  rel: (file: string) => string,
  placement: WorldPlacement | undefined,
) {
  const { plane, runtimes } = host.engines;
  const w = host.wiring.worlds.get(plan.id);
  const runtime = runtimes.get(plan.id);
  const status = host.statusOf(plan.id);
  const config = runtime?.init?.config;
  return {
    id: plan.id,
    namespace: plan.namespace,
    name: plan.name,
    source: plan.source ? { file: rel(plan.source.file), line: plan.source.line } : null,
    spec: plan.world.spec,
    game: plan.game
      ? { name: plan.game.metadata.name, description: plan.game.spec.description || '' }
      : null,
    status: {
      phase: status.phase,
      conditions: status.conditions,
      bindingCount: plan.resolution.bindings.length,
      diagnostics: plan.resolution.diagnostics,
      // The physics replica holding the world's lease (the controller's status.placement).
      placement: placement ?? null,
    },
    bindings: plan.resolution.bindings,
    participants: plan.participants.map(({ module, version, manifestName, manifest }) => ({
      module,
      version,
      manifestName,
      image: manifest?.spec.image,
      endpoint: manifest?.spec.endpoint,
    })),
    engines:
      w?.runnable && plane
        ? w.services.map((s) => ({ ...s, address: plane.running.get(s.port)?.address }))
        : [],
    analytics: sinksOf(host).find((s) => s.worlds.includes(plan.id))?.module ?? null,
    started: Boolean(runtime?.started),
    arena: config
      ? {
          widthMm: config.widthMm,
          heightMm: config.heightMm,
          gravityYMmS2: config.gravityYMmS2 ?? -9810,
        }
      : null,
    tickHz: runtime?.init?.tickHz ?? null,
    players: runtime ? [...runtime.players].sort() : [],
    bots: host.bots.list(plan.id),
  };
}

const worldIds = (host: HostState) => host.plans.map((p) => p.id);

/**
 * GET /api/worlds: each world's spec, bindings, diagnostics, status (with its placement: the
 * physics replica holding its lease), engines and players; the physics replicas.
 */
export async function worldsJson(host: HostState) {
  const rel = (file: string) => path.relative(host.manifests, file);
  const placements = await host.engines.placements();
  const gateway = host.engines.plane?.gateway;
  return {
    manifests: host.manifests,
    gateway: gateway ? { url: gateway.url, port: gateway.port } : null,
    engines: enginesOf(host),
    replicas: host.engines.replicas(worldIds(host)),
    sinks: sinksOf(host),
    problems: host.loaded.problems.map((p) => ({ ...p, file: rel(p.file) })),
    worlds: host.plans.map((plan) => worldOf(host, plan, rel, placements.get(plan.id))),
  };
}

/** What the web server asks the host. */
export function webApi(host: HostState) {
  return {
    replicas: () => ({ replicas: host.engines.replicas(worldIds(host)) }),
    replicaAction: (id: string, action: 'stop' | 'start') =>
      host.engines.replicaAction(id, action, worldIds(host)),
    hasWorld: (id: string) => host.plans.some((p) => p.id === id),
    snapshot: (id: string) => host.engines.snapshot(id),
    figures: (id: string) => host.engines.figures(id),
    token: (player: string, worldId: string | undefined) => tokenFor(host, player, worldId),
    commands: (player: string) => ({
      commands: host.recentCommands?.commandsOf(playerIdFrom(player)) ?? [],
    }),
    config: () => configOf(host),
    worlds: () => worldsJson(host),
  };
}

export const OPEN_HOST_WARNING = (host: string) =>
  `Warning: listening on ${host}: anyone who reaches this machine can open the page and watch the worlds (dev mode); /api/token hands out player tokens only to a loopback Host (localhost, 127.0.0.1, [::1]).`;
