import { CapacityError, type CommandStreamClient, type EngineClient } from '@anvil/engine-contract';

/** Most distinct physics engines one game module talks to. */
export const MAX_PHYSICS_ENGINES = 64;

/** One physics engine: unary calls (Init, Tick, Snapshot, CloseWorld) and the command stream. */
export interface PhysicsEngine {
  address: string;
  calls: EngineClient;
  commands: CommandStreamClient;
}

/**
 * The physics engines this game module reaches: one client pair per address, shared by
 * the worlds whose CapabilityBinding names it; worlds without a binding use the configured address.
 */
export class PhysicsClients {
  private readonly engines = new Map<string, PhysicsEngine>();

  constructor(
    readonly defaultAddress: string,
    private readonly connect: (address: string) => Omit<PhysicsEngine, 'address'>,
  ) {}

  /** The engine at `address` (default: the configured one), connected on first use. */
  get(address: string = this.defaultAddress): PhysicsEngine {
    let engine = this.engines.get(address);
    if (!engine) {
      if (this.engines.size >= MAX_PHYSICS_ENGINES)
        throw new CapacityError(`already connected to ${MAX_PHYSICS_ENGINES} physics engines`);
      engine = { address, ...this.connect(address) };
      this.engines.set(address, engine);
    }
    return engine;
  }

  /** Closes every client. */
  close(): void {
    for (const engine of this.engines.values()) {
      engine.commands.close();
      engine.calls.close();
    }
    this.engines.clear();
  }
}
