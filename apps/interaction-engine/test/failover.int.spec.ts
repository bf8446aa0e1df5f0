// The interaction engine follows its worlds across physics replicas: three physics engine
// processes on the real Kafka and PostgreSQL of tools/testenv (build the physics engine first:
// `npx nx run physics-engine:build`), the interaction engine in this process.
import {
  EngineClient,
  commandToWire,
  playerBodyId,
  type PlayerCommand,
} from '@anvil/engine-contract';
import { InMemoryBus } from '@anvil/bus';
import { startPhysics, type PhysicsProcess } from '@anvil/game-host/testing';
import { bootstrap, type RunningInteractionEngine } from '../src/bootstrap';
import { loadInteractionConfig } from '../src/config/interaction-config';

jest.setTimeout(180_000);

const ENGINE_TOKEN = 'interaction-failover-engine-token';
const access = { token: ENGINE_TOKEN, caller: 'failover-int' };
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const CONFIG = { widthMm: 40_000, heightMm: 20_000, maxBodies: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function replicaEnv(name: string): Record<string, string> {
  const url = new URL(process.env['DATABASE_URL'] as string);
  url.searchParams.set('schema', `anvil_reroute_${run}`);
  return {
    BUS: 'kafka',
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] as string,
    BUS_TOPIC_PREFIX: `reroute${run}`,
    DATABASE_URL: url.toString(),
    REPLICA_ID: name,
    TICK_MODE: 'auto',
    TICK_HZ: '30',
    // The shipped defaults: a shorter lease is outlasted by a loaded machine's stalls.
    WORLD_LEASE_TTL_MS: '1500',
    WORLD_LEASE_RENEW_MS: '400',
  };
}

describe('the interaction engine across physics replicas', () => {
  const bus = new InMemoryBus();
  const replicas: Record<string, PhysicsProcess> = {};
  const clients: Record<string, EngineClient> = {};
  let engine: RunningInteractionEngine;
  let client: EngineClient;

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c']) {
      replicas[name] = await startPhysics(ENGINE_TOKEN, replicaEnv(`physics-${name}`));
      clients[name] = new EngineClient(replicas[name].address, { deadlineMs: 5_000, access });
    }
    // Its configured physics address is replica a: what a Service in front of the replicas is.
    engine = await bootstrap({
      config: loadInteractionConfig({
        ENGINE_TOKEN,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: '0',
        PHYSICS_ENGINE_ADDRESS: replicas['a'].address,
      }),
      bus,
      logger: false,
    });
    client = new EngineClient(engine.address, { deadlineMs: 5_000, access });
  });

  afterAll(async () => {
    client?.close();
    for (const c of Object.values(clients)) c.close();
    await engine?.close();
    await Promise.all(Object.values(replicas).map((r) => r.stop()));
    await bus.close();
  });

  const send = (command: PlayerCommand) =>
    client.applyCommand({ worldId: 'reroute', command: commandToWire(command) });

  /** Which replicas run the world now. */
  async function runningOn(): Promise<string[]> {
    const found: string[] = [];
    for (const [name, c] of Object.entries(clients)) {
      if (name === 'b') continue; // killed below
      if (
        await c.snapshot({ worldId: 'reroute' }).then(
          () => true,
          () => false,
        )
      )
        found.push(name);
    }
    return found;
  }

  it('follows the owner a replica names, and finds the world again on another replica after its owner died', async () => {
    // The world lives on b; the interaction engine asks a, which names b.
    await clients['b'].init({ worldId: 'reroute', config: CONFIG });
    await expect(client.init({ worldId: 'reroute', config: CONFIG })).resolves.toMatchObject({
      worldId: 'reroute',
    });
    await expect(send({ type: 'join', playerId: 'alice' })).resolves.toMatchObject({
      entityId: playerBodyId('alice'),
    });
    const onB = await clients['b'].snapshot({ worldId: 'reroute' });
    expect(onB.bodies.map((b) => b.bodyId)).toEqual([playerBodyId('alice')]);
    await expect(clients['a'].snapshot({ worldId: 'reroute' })).rejects.toMatchObject({
      name: 'WorldNotFoundError',
    });

    // b dies: the world is taken over by a or c; the player's next commands reach it there.
    await replicas['b'].kill();
    const refusals: string[] = [];
    const deadline = Date.now() + 30_000;
    let moved = false;
    while (!moved && Date.now() < deadline) {
      try {
        await send({ type: 'move', playerId: 'alice', dx: 1, dy: 0 });
        moved = true;
      } catch (error) {
        refusals.push((error as Error).name);
        await sleep(100);
      }
    }
    expect(moved).toBe(true);
    // Only commands in flight when b died are refused (their outcome is unknown): later ones
    // wait while the world is found again on its new owner.
    expect(refusals.length).toBeLessThanOrEqual(2);
    const owners = await runningOn();
    expect(owners).toHaveLength(1);
    // The join acknowledged before the kill is in the state the new owner restored.
    const after = await clients[owners[0]].snapshot({ worldId: 'reroute' });
    expect(after.bodies.map((b) => b.bodyId)).toEqual([playerBodyId('alice')]);
    process.stdout.write(
      `reroute: ${refusals.length} command(s) refused during the failover (${[...new Set(refusals)].join(', ')})\n`,
    );
  });

  it('sends the keyed commands its owner refused while draining the world to the new owner: none is refused', async () => {
    // Two worlds of their own on c (not the bound replica a: a drain of c is what a rollout does
    // to any replica behind a Service); the interaction engine asks a, which names c.
    const worlds = ['drained-1', 'drained-2'];
    const players = ['p0', 'p1'];
    for (const worldId of worlds) {
      await clients['c'].init({ worldId, config: CONFIG });
      await expect(client.init({ worldId, config: CONFIG })).resolves.toMatchObject({ worldId });
      for (const playerId of players)
        await client.applyCommand({
          worldId,
          command: commandToWire({ type: 'join', playerId }),
          idempotencyKey: `drain-${run}-${worldId}-${playerId}`,
        });
    }
    const refusals: string[] = [];
    let [sent, acknowledged] = [0, 0];
    let stopped = false;
    // Each player's commands back to back: some always wait in the owner's queue for the next
    // tick, so the drain refuses some whatever the tick's phase (in one world or the other).
    const sender = async (worldId: string, playerId: string) => {
      for (let n = 0; !stopped && n < 500; n++) {
        const i = sent++;
        await client
          .applyCommand({
            worldId,
            command: commandToWire({ type: 'move', playerId, dx: i % 2 ? 1 : -1, dy: 0 }),
            idempotencyKey: `drain-${run}-${i}`,
          })
          .then(
            () => acknowledged++,
            (error: Error) => refusals.push(`${error.name}: ${error.message}`),
          );
      }
    };
    const sending = Promise.all(
      worlds.flatMap((worldId) => players.map((playerId) => sender(worldId, playerId))),
    );
    await sleep(200);
    await replicas['c'].stop(); // SIGTERM: it hands the worlds over before it exits
    await sleep(300);
    stopped = true;
    await sending;
    expect(refusals).toEqual([]);
    expect(acknowledged).toBe(sent);
    // The players are still in the worlds, on their new owner.
    for (const worldId of worlds) {
      const after = await clients['a'].snapshot({ worldId });
      expect(after.bodies.map((b) => b.bodyId).sort()).toEqual(players.map(playerBodyId).sort());
    }
  });
});
