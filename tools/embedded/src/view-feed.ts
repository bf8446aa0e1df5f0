// Spectators of each world (Server-Sent Events): a snapshot, then every delta and game event
// from the bus. Subscribes to both world topics in its own consumer group, so it sees every
// delta and game event, as an analytics consumer would.
import type { ServerResponse } from 'node:http';
import { EVENT_TYPES, worldTopic, type EventBus, type Subscription } from '@anvil/bus';

const INTERACTION_TYPE = /^dev\.anvil\.interaction\.([a-z-]+)\.v\d+$/;
/** Deltas a spectator may have waiting while its snapshot is fetched; past it, it is resynchronised. */
const MAX_BUFFERED = 300;

/** A game event as the page shows it. */
export interface WorldEvent {
  worldId: string;
  tick: number;
  type: string;
  playerId: string;
  bodyId?: string;
  targetId?: string;
  reason?: string;
  code?: string;
}

interface Client {
  res: ServerResponse;
  worldId: string;
  ready: boolean;
  slow: boolean;
  closed: boolean;
  generation: number;
  buffer: Array<{ name: string; payload: unknown; tick: number }>;
}

export interface ViewFeedDeps {
  bus: EventBus;
  snapshot(worldId: string): Promise<{ tick: number }>;
  /** Every event of a world (physics delta or game event): the host learns it runs. */
  onActivity(worldId: string, event?: WorldEvent): void;
}

interface BusMessage {
  key: string;
  event: { type: string; tick?: number; data: Record<string, unknown> };
}

function write(res: ServerResponse, name: string, payload: unknown): boolean {
  return res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
}

/** A game module's own state as the page shows it (docs/client-protocol.md, `world:state`). */
export interface GameState {
  worldId: string;
  module: string;
  tick: number;
  state: Record<string, unknown>;
}

export class ViewFeed {
  private readonly clients = new Map<string, Set<Client>>();
  /** Each world's latest game state: a new spectator gets it after its snapshot. */
  private readonly gameStates = new Map<string, GameState>();
  private readonly subscriptions: Subscription[] = [];

  constructor(private readonly deps: ViewFeedDeps) {}

  async start(): Promise<void> {
    const group = 'anvil-embedded-view';
    const { bus } = this.deps;
    const on = (m: unknown, f: (m: BusMessage) => void) => f(m as BusMessage);
    this.subscriptions.push(
      await bus.subscribe({ topic: worldTopic('physics'), group }, async (m) =>
        on(m, (x) => this.onPhysics(x)),
      ),
      await bus.subscribe({ topic: worldTopic('interaction'), group }, async (m) =>
        on(m, (x) => this.onInteraction(x)),
      ),
    );
  }

  private onPhysics({ key, event }: BusMessage): void {
    this.deps.onActivity(key);
    const set = this.clients.get(key);
    if (!set || set.size === 0) return;
    const d = event.data as { tick: number; bodies: unknown[]; removed?: string[] };
    const delta = {
      worldId: key,
      tick: d.tick,
      bodies: d.bodies,
      ...(d.removed?.length ? { removed: d.removed } : {}),
    };
    if (delta.bodies.length === 0 && !delta.removed) return;
    for (const client of set) this.deliver(client, 'delta', delta, d.tick);
  }

  private onInteraction(message: BusMessage): void {
    const { key, event } = message;
    if (event.type === EVENT_TYPES.gameState) return this.onGameState(message);
    const match = INTERACTION_TYPE.exec(event.type);
    if (!match) return;
    const d = event.data as Partial<
      Record<'playerId' | 'bodyId' | 'targetId' | 'reason' | 'code', string>
    >;
    const payload: WorldEvent = {
      worldId: key,
      tick: event.tick ?? 0,
      type: match[1],
      playerId: d.playerId ?? '',
    };
    for (const field of ['bodyId', 'targetId', 'reason', 'code'] as const)
      if (d[field]) payload[field] = d[field];
    this.deps.onActivity(key, payload);
    for (const client of this.clients.get(key) ?? [])
      this.deliver(client, 'world:event', payload, payload.tick);
  }

  private onGameState({ key, event }: BusMessage): void {
    const tick = event.tick ?? 0;
    const known = this.gameStates.get(key);
    if (known && known.tick > tick) return;
    const d = event.data as { module: string; state: Record<string, unknown> };
    const state: GameState = { worldId: key, module: d.module, tick, state: d.state };
    this.gameStates.set(key, state);
    for (const client of this.clients.get(key) ?? [])
      this.deliver(client, 'world:state', state, tick);
  }

  /** The world's latest game state, if its game published one. */
  gameState(worldId: string): GameState | undefined {
    return this.gameStates.get(worldId);
  }

  private deliver(client: Client, name: string, payload: unknown, tick: number): void {
    if (client.closed) return;
    if (!client.ready) {
      // The snapshot on its way supersedes them.
      if (client.buffer.length >= MAX_BUFFERED) client.buffer.length = 0;
      client.buffer.push({ name, payload, tick });
      return;
    }
    if (client.slow) return; // resynchronised by snapshot when the browser drains
    if (!write(client.res, name, payload)) {
      client.slow = true;
      client.res.once('drain', () => void this.resync(client));
    }
  }

  /** Adds a spectator: snapshot first, then the deltas newer than it. */
  add(worldId: string, res: ServerResponse): void {
    const client: Client = {
      res,
      worldId,
      ready: false,
      slow: false,
      closed: false,
      generation: 0,
      buffer: [],
    };
    const set = this.clients.get(worldId) ?? new Set<Client>();
    this.clients.set(worldId, set.add(client));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    res.on('close', () => {
      client.closed = true;
      clearInterval(ping);
      this.clients.get(worldId)?.delete(client);
    });
    void this.resync(client);
  }

  /** Sends a fresh snapshot to a client, then what it buffered meanwhile. */
  private async resync(client: Client): Promise<void> {
    const generation = ++client.generation;
    const current = () => !client.closed && client.generation === generation;
    Object.assign(client, { ready: false, slow: false });
    let snap: { tick: number } | undefined;
    for (let attempt = 0; current() && !snap; attempt++) {
      try {
        snap = await this.deps.snapshot(client.worldId);
      } catch (error) {
        if (attempt === 0) {
          const message = `waiting for the world: ${error instanceof Error ? error.message : error}`;
          write(client.res, 'status', { worldId: client.worldId, message });
        }
        await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * (attempt + 1))));
      }
    }
    if (!current() || !snap) return;
    write(client.res, 'snapshot', snap);
    const gameState = this.gameStates.get(client.worldId);
    if (gameState) write(client.res, 'world:state', gameState);
    const pending = client.buffer.splice(0);
    client.ready = true;
    for (const item of pending)
      if (item.name !== 'delta' || item.tick > snap.tick)
        this.deliver(client, item.name, item.payload, item.tick);
  }

  /** Every spectator of every world gets a new snapshot (engines restarted). */
  resyncAll(): void {
    for (const set of this.clients.values()) for (const client of set) void this.resync(client);
  }

  async close(): Promise<void> {
    for (const set of this.clients.values())
      for (const client of set) {
        client.closed = true;
        client.res.end();
      }
    this.clients.clear();
    await Promise.allSettled(this.subscriptions.splice(0).map((s) => s.close()));
  }
}
