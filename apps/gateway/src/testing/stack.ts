// Test support: a gateway in this process in front of real engine processes.
//
// With BUS=memory the engines publish their deltas on their own in-memory buses, which this
// process cannot see: so in these tests commands, acks, snapshots and refusals are real
// (gRPC to the real engines), while deltas reaching the gateway are published by the test on the
// gateway's bus. The integration test (kafka.int.spec.ts) runs everything on Kafka, where the
// engines' own deltas reach the gateway.
import { InMemoryBus } from '@anvil/bus';
import type { Storage, WorldBinding } from '@anvil/storage';
import type { RunningGateway } from '../bootstrap';
import { startEngines, type Engines } from './engines';
import { memoryStorage, registerWorld, startGateway } from './gateway';

/** Engines, storage, bus and gateway of one test file. */
export interface Stack {
  engines: Engines;
  storage: Storage;
  bus: InMemoryBus;
  gateway: RunningGateway;
  /**
   * Creates a world on the engines and registers it in storage (phase Ready by default);
   * `onEngine: false` only registers it, for the gateway to start on the engine at a join.
   */
  world(
    id: string,
    options?: { phase?: string; onEngine?: boolean; bindings?: WorldBinding[] },
  ): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything; `env` overrides gateway settings, `engineEnv` engine settings. */
export async function startStack(
  env: Record<string, string> = {},
  engineEnv: Parameters<typeof startEngines>[0] = {},
): Promise<Stack> {
  const engines = await startEngines({ ...engineEnv, bus: { BUS: 'memory' } });
  const storage = await memoryStorage();
  const bus = new InMemoryBus();
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(
      { INTERACTION_ENGINE_ADDRESS: engines.interaction.address, DISCONNECT_GRACE_MS: '0', ...env },
      { bus, storage },
    );
  } catch (error) {
    await engines.stop();
    throw error;
  }
  return {
    engines,
    storage,
    bus,
    gateway,
    async world(id, options = {}) {
      if (options.onEngine !== false)
        await engines.client.init({
          worldId: id,
          config: { widthMm: 100_000, heightMm: 20_000, gravityYMmS2: 0, maxBodies: 0 },
        });
      await registerWorld(storage, id, options.phase ?? 'Ready', options.bindings);
    },
    async stop() {
      await gateway.close();
      await bus.close();
      await storage.close();
      await engines.stop();
    },
  };
}
