// Test support: the interaction engine at its IO boundary. A scripted stand-in for
// InteractionEngineService that answers as the real engine would (its errors go through the
// gateway's real translation), so the services above it run unchanged.
import {
  AlreadyExistsError,
  EntityNotFoundError,
  WorldNotFoundError,
  type ApplyCommandResponse,
  type InitResponse,
  type PlayerCommand,
  type SnapshotResponse,
} from '@anvil/engine-contract';
import type { World } from '@anvil/storage';
import { fromEngineError } from '../engine/engine-errors';
import type { InteractionEngineService } from '../engine/interaction-engine.service';

/** One call the fake received. */
export type EngineCall =
  | { method: 'apply'; worldId: string; command: PlayerCommand }
  | { method: 'start'; worldId: string }
  | { method: 'snapshot'; worldId: string };

/** The interaction engine as the gateway sees it, with worlds and players in memory. */
export class FakeInteractionEngine {
  /** Every call, in order. */
  readonly calls: EngineCall[] = [];
  /** Players in each running world. */
  readonly worlds = new Map<string, Set<string>>();
  tick = 0;
  /** The next calls fail with these errors (engine-side, before translation), first first. */
  readonly failures: unknown[] = [];

  /** The engine starts with these worlds running. */
  running(...worldIds: string[]): this {
    for (const id of worldIds) this.worlds.set(id, new Set());
    return this;
  }

  /** Forgets every world, as a restarted engine does. */
  restart(): void {
    this.worlds.clear();
  }

  /** Where each world's commands would go (the real service routes by the entry binding). */
  readonly routed: World[] = [];

  route(world: World): void {
    this.routed.push(world);
  }

  async apply(worldId: string, command: PlayerCommand): Promise<ApplyCommandResponse> {
    this.calls.push({ method: 'apply', worldId, command });
    const players = this.world(worldId);
    if (command.type === 'join') {
      if (players.has(command.playerId))
        this.fail(new AlreadyExistsError(`player "${command.playerId}" is in`), worldId);
      players.add(command.playerId);
    } else if (command.type === 'leave') {
      if (!players.delete(command.playerId))
        this.fail(new EntityNotFoundError('player', command.playerId), worldId);
    }
    return { worldId, applyTick: ++this.tick, entityId: '' };
  }

  async start(world: World, _trace?: unknown, via?: string): Promise<InitResponse> {
    this.calls.push({ method: 'start', worldId: world.id });
    if (via !== undefined) this.starts.push(via);
    this.failNext(world.id);
    const created = !this.worlds.has(world.id);
    if (created) this.worlds.set(world.id, new Set());
    return {
      worldId: world.id,
      tick: this.tick,
      stateHash: '',
      created,
      tickHz: 30,
      ownerAddress: '',
      engineVersion: '',
    };
  }

  /** Where the world's calls go; the fake has one address. */
  addressOf(): string {
    return 'fake-engine:1';
  }

  /** Where each start was asked to go first (`via`), in order. */
  readonly starts: string[] = [];

  entryOf(): string {
    return 'fake-engine:1';
  }

  async snapshot(worldId: string): Promise<SnapshotResponse> {
    this.calls.push({ method: 'snapshot', worldId });
    this.world(worldId);
    return { worldId, tick: this.tick, stateHash: '', state: Buffer.alloc(0), bodies: [] };
  }

  /** The calls of one method. */
  callsOf(method: EngineCall['method']): EngineCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** As the service type, for constructors. */
  asService(): InteractionEngineService {
    return this as unknown as InteractionEngineService;
  }

  private world(worldId: string): Set<string> {
    this.failNext(worldId);
    const players = this.worlds.get(worldId);
    if (!players) this.fail(new WorldNotFoundError(worldId), worldId);
    return players;
  }

  private failNext(worldId: string): void {
    if (this.failures.length > 0) this.fail(this.failures.shift(), worldId);
  }

  private fail(error: unknown, worldId: string): never {
    throw fromEngineError(error, worldId);
  }
}
