import { DeltaCoalescer, type CoalescedOutput } from './delta-coalescer';
import type { GatewaySocket } from '../protocol/socket-state';

/** Why a socket is left out of a world's broadcasts: waiting for a snapshot, or too slow. */
export type HoldReason = 'snapshot' | 'slow';

interface Hold {
  reason: HoldReason;
  coalescer: DeltaCoalescer;
}

/**
 * The sockets of each world that are left out of broadcasts and get their data coalesced
 * instead: sockets waiting for a join/resync snapshot, and sockets whose write buffer is backed
 * up. Pure bookkeeping; FanoutService decides when to hold and release.
 */
export class SocketHolds {
  private readonly worlds = new Map<string, Map<string, Hold>>();

  constructor(private readonly maxPendingBodies: number) {}

  /** Holds a socket (keeping what it already has pending) for `reason`. */
  hold(worldId: string, socketId: string, reason: HoldReason): DeltaCoalescer {
    let world = this.worlds.get(worldId);
    if (!world) this.worlds.set(worldId, (world = new Map()));
    const existing = world.get(socketId);
    if (existing) {
      if (reason === 'snapshot') existing.reason = 'snapshot';
      return existing.coalescer;
    }
    const coalescer = new DeltaCoalescer(worldId, this.maxPendingBodies);
    world.set(socketId, { reason, coalescer });
    return coalescer;
  }

  /** The hold of a socket in a world, if any. */
  get(worldId: string, socketId: string): Hold | undefined {
    return this.worlds.get(worldId)?.get(socketId);
  }

  /** Socket ids held in a world (the broadcast's `except` list). */
  heldIds(worldId: string): string[] {
    const world = this.worlds.get(worldId);
    return world ? [...world.keys()] : [];
  }

  /** Stops holding; returns what was pending (entries at or below minTick left out). */
  release(worldId: string, socketId: string, minTick = -1): CoalescedOutput | undefined {
    const world = this.worlds.get(worldId);
    const hold = world?.get(socketId);
    if (!world || !hold) return undefined;
    world.delete(socketId);
    if (world.size === 0) this.worlds.delete(worldId);
    return hold.coalescer.take(minTick);
  }

  /** Drops a socket's holds everywhere (disconnect); returns the worlds it was held in. */
  dropSocket(socket: GatewaySocket): string[] {
    const worlds: string[] = [];
    for (const [worldId, world] of this.worlds) {
      if (world.delete(socket.id)) worlds.push(worldId);
      if (world.size === 0) this.worlds.delete(worldId);
    }
    return worlds;
  }
}
