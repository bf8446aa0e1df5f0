import { CapacityError, type EngineClient } from '@anvil/engine-contract';

/** Most distinct physics engines one interaction engine talks to. */
export const MAX_PHYSICS_ENGINES = 64;

/**
 * The physics engines this interaction engine reaches: one client per address, shared by the
 * worlds whose CapabilityBinding names it; worlds without a binding use the configured address.
 */
export class PhysicsClients {
  private readonly clients = new Map<string, EngineClient>();

  constructor(
    readonly defaultAddress: string,
    private readonly connect: (address: string) => EngineClient,
  ) {}

  /** The client for `address` (default: the configured one), created on first use. */
  get(address: string = this.defaultAddress): EngineClient {
    let client = this.clients.get(address);
    if (!client) {
      if (this.clients.size >= MAX_PHYSICS_ENGINES)
        throw new CapacityError(`already connected to ${MAX_PHYSICS_ENGINES} physics engines`);
      client = this.connect(address);
      this.clients.set(address, client);
    }
    return client;
  }

  /** Closes every client. */
  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
