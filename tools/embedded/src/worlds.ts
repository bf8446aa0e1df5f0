// The worlds on the engines. As in a cluster, the host never creates a world: the gateway
// starts it on its interaction engine at the first player's join (Init with the world's
// bindings; the physics engine continues it from its latest checkpoint, if any). The host
// notices a world's first events on the bus, then drops props into a new one and keeps them
// moving (docs/embedded.md, "What it runs").
import { isUnknownWorldError, type EngineClient, type InitResponse } from '@anvil/engine-contract';
import { toSnapshotDto } from '@anvil/gateway';
import type { Plane } from './data-plane';
import { PROP_ID, kickProps, rng, spawnProps } from './props';
import type { WorldWiring } from './wiring';

/** What the host knows of a world on its engines. */
export interface WorldRuntime {
  /** The world runs on its engines (the host saw it start). */
  started: boolean;
  /** The tick of the checkpoint its next start continues from, if it has one. */
  checkpointTick: number | undefined;
  init: InitResponse | undefined;
  props: string[];
  kicker: NodeJS.Timeout | undefined;
  players: Set<string>;
}

export const newRuntime = (checkpointTick: number | undefined): WorldRuntime => ({
  started: false,
  checkpointTick,
  init: undefined,
  props: [],
  kicker: undefined,
  players: new Set(),
});

/**
 * The client of the physics engine that runs a world now: with replicas, the one that has it in
 * memory (undefined while none does: it has not started, or it is moving to another replica);
 * for a world without a physics binding, its entry engine.
 */
export function physicsClient(
  plane: Plane,
  wiring: WorldWiring,
  worldId: string,
): EngineClient | undefined {
  if (!wiring.runnable) return undefined;
  const physics = wiring.services.find((s) => s.role === 'physics');
  const port = physics ? physics.port : wiring.entryPort;
  const replicas = plane.running.get(port)?.replicas;
  return replicas ? replicas.clientFor(worldId) : plane.clients.get(port);
}

/**
 * Takes a world the gateway just started: reads its settings (Init is idempotent and returns
 * the running world), then gives a new world its props; a world continued from a checkpoint
 * already has them. Either way one prop is kicked every 2 s, on whichever engine `physicsNow`
 * names then (the world may move to another replica).
 */
export async function adoptWorld(
  physics: EngineClient,
  worldId: string,
  runtime: WorldRuntime,
  propCount: number,
  physicsNow: () => EngineClient | undefined = () => physics,
): Promise<void> {
  runtime.init = await physics.init({ worldId });
  const random = rng(worldId);
  const snapshot = await physics.snapshot({ worldId }, { deadlineMs: 3_000 });
  runtime.props = snapshot.bodies.map((b) => b.bodyId).filter((id) => PROP_ID.test(id));
  if (runtime.props.length === 0 && runtime.checkpointTick === undefined)
    runtime.props = await spawnProps(physics, worldId, runtime.init.config, propCount, random);
  if (runtime.props.length > 0)
    runtime.kicker = kickProps(physicsNow, worldId, runtime.props, random);
  runtime.started = true;
}

/** Stops a world's kicks; the host forgets it was started (its engines stopped or it is gone). */
export function releaseWorld(runtime: WorldRuntime): void {
  clearInterval(runtime.kicker);
  Object.assign(runtime, { started: false, init: undefined, props: [], kicker: undefined });
  runtime.players.clear();
}

/** The world's bodies from its physics engine; a clear error while it has not started. */
export async function snapshotWorld(physics: EngineClient, worldId: string) {
  try {
    const snap = await physics.snapshot({ worldId }, { deadlineMs: 3_000 });
    return toSnapshotDto(worldId, snap);
  } catch (error) {
    if (isUnknownWorldError(error))
      throw new Error(
        `world ${worldId} has not started yet: it starts when its first player joins`,
      );
    throw error;
  }
}

/**
 * Closes a world gone from the folder on its engines (CloseWorld through its entry engine,
 * which closes it on its physics engine too), so its simulation stops and its memory is freed.
 */
export async function closeWorld(plane: Plane, wiring: WorldWiring, worldId: string) {
  const entry = wiring.runnable ? plane.clients.get(wiring.entryPort) : undefined;
  await entry?.closeWorld({ worldId }).catch((error: unknown) => {
    if (!isUnknownWorldError(error)) throw error;
  });
}
