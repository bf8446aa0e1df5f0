import {
  EngineUnavailableError,
  WorldOwnedElsewhereError,
  type WorldBinding,
  type WorldConfig,
} from '@anvil/engine-contract';
import type { WorldOwnership } from '@anvil/ownership';
import { LeaseHeldError } from '@anvil/storage';
import { sha256 } from '../rules/state-codec';

/** A game's rules state as the store keeps it, for one world and role. */
export interface StoredGameState {
  epoch: number;
  state: Uint8Array;
  stateHash: string;
}

/** Where a game module's replicas keep each world's rules state, fenced by the world's lease. */
export interface GameStateStore {
  /** Refused (STORAGE_FENCED) unless the lease of (world, role) has this epoch and holder. */
  save(input: {
    worldId: string;
    role: string;
    epoch: number;
    holder: string;
    state: Uint8Array;
    stateHash: string;
  }): Promise<unknown>;
  get(worldId: string, role: string): Promise<StoredGameState | null>;
}

/** What a replica taking a world over needs to start it as its owner did: Init's arguments. */
export interface GameWorldSpec {
  config?: WorldConfig;
  bindings?: WorldBinding[];
  caller: string;
}

/**
 * A game module's side of world ownership (docs/decisions.md, "World ownership"): a world is
 * run only under its lease, its rules state comes back from the store when this replica takes
 * it, and every change of that state is saved under the lease's epoch before any command that
 * made it is answered. A replica that lost the lease (paused past it, cut off) saves nothing:
 * the store refuses its epoch, and its commands are answered UNAVAILABLE.
 */
export class GameOwnership {
  constructor(
    private readonly leases: WorldOwnership,
    private readonly states: GameStateStore,
    readonly role: string,
  ) {}

  /** This replica's own address, where its worlds' calls must go. */
  get address(): string {
    return this.leases.address;
  }

  /** This replica's name, the lease holder. */
  get holder(): string {
    return this.leases.holder;
  }

  /**
   * Takes the world's lease (a new epoch) and reads its saved rules state, in that order: the
   * previous owner saved nothing after its lease ended, so what is read is its last save.
   * FAILED_PRECONDITION with the owner's address when another replica holds the world.
   */
  async acquire(
    worldId: string,
    spec: GameWorldSpec,
  ): Promise<{ epoch: number; saved?: StoredGameState }> {
    let epoch: number;
    try {
      epoch = (await this.leases.acquire(worldId, { ...spec })).epoch;
    } catch (error) {
      if (error instanceof LeaseHeldError) {
        const { holder, address, epoch: held, expiresAt } = error.lease;
        throw new WorldOwnedElsewhereError(
          `world "${worldId}" is owned by replica ${holder} at ${address} (epoch ${held}) until ${expiresAt.toISOString()}`,
          address,
          { cause: error },
        );
      }
      throw unavailable(worldId, 'cannot take its lease', error);
    }
    try {
      const saved = await this.states.get(worldId, this.role);
      return { epoch, saved: saved ?? undefined };
    } catch (error) {
      await this.release(worldId, false);
      throw unavailable(worldId, 'cannot read its saved game state', error);
    }
  }

  /** Saves the world's rules state under `epoch`; UNAVAILABLE when refused or the lease lapsed. */
  async save(worldId: string, epoch: number, state: Uint8Array): Promise<void> {
    this.check(worldId, epoch);
    try {
      await this.states.save({
        worldId,
        role: this.role,
        epoch,
        holder: this.leases.holder,
        state,
        stateHash: sha256(state),
      });
    } catch (error) {
      throw unavailable(worldId, 'its game state could not be saved', error);
    }
    this.check(worldId, epoch);
  }

  /** UNAVAILABLE unless this replica may still act for the world at `epoch`. */
  check(worldId: string, epoch: number): void {
    const refusal = this.leases.refusal(worldId, epoch);
    if (refusal) throw new EngineUnavailableError(`world "${worldId}": ${refusal}`);
  }

  /** Gives the lease up: `closed` on purpose, or (shutting down) as an orphan to take over. */
  async release(worldId: string, closed: boolean): Promise<void> {
    await this.leases.release(worldId, closed).catch(() => undefined);
  }

  /** Stops renewing a lost world's lease. */
  forget(worldId: string): void {
    this.leases.forget(worldId);
  }
}

function unavailable(worldId: string, what: string, cause: unknown): EngineUnavailableError {
  return new EngineUnavailableError(`world "${worldId}": ${what}: ${String(cause)}`, { cause });
}
