import type { Json } from './json';
import { getJson, kubectlOk, poll } from './cluster';

/** The world as the API server has it. */
export const getWorld = (namespace: string, name: string): Promise<Json> =>
  getJson(['worldinstances', name, '-n', namespace]);

/** The CapabilityBindings of a namespace, optionally of one world. */
export async function getBindings(namespace: string, world?: string): Promise<Json[]> {
  const list = await getJson([
    'capabilitybindings',
    '-n',
    namespace,
    ...(world ? ['-l', `anvil.dev/world=${world}`] : []),
  ]);
  return list.items;
}

/** The status of condition `type` of a world (undefined when absent). */
export function condition(
  world: Json,
  type: string,
): { status: string; reason: string; message: string; lastTransitionTime: string } | undefined {
  return world?.status?.conditions?.find((c: { type: string }) => c.type === type);
}

/** Waits until the world reports `phase` for its current generation. */
export function waitForPhase(namespace: string, name: string, phase: string, timeoutMs = 90_000) {
  return poll(
    `world ${namespace}/${name} to be ${phase}`,
    async () => {
      const world = await getWorld(namespace, name);
      return world.status?.phase === phase &&
        world.status?.observedGeneration === world.metadata.generation
        ? world
        : undefined;
    },
    { timeoutMs },
  );
}

/** Events recorded on a world. */
export async function worldEvents(
  namespace: string,
  name: string,
): Promise<Array<{ type: string; reason: string; message: string }>> {
  const list = await getJson([
    'events',
    '-n',
    namespace,
    '--field-selector',
    `involvedObject.name=${name},involvedObject.kind=WorldInstance`,
  ]);
  return list.items;
}

/** A WorldInstance manifest for the example game. */
export function worldYaml(name: string, gameRef = 'arena', shards = 2): string {
  return `apiVersion: anvil.dev/v1alpha1\nkind: WorldInstance\nmetadata: { name: ${name} }\nspec: { gameRef: ${gameRef}, region: eu-west, shards: ${shards} }\n`;
}

/** Creates many worlds in one kubectl call. */
export async function createWorlds(namespace: string, names: string[]): Promise<void> {
  await kubectlOk(['apply', '-n', namespace, '-f', '-'], {
    input: names.map((n) => worldYaml(n)).join('---\n'),
  });
}
