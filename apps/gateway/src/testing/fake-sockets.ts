// Test support: sockets and the player namespace at the socket.io boundary. A fake socket keeps
// the real per-connection state (`socket.data`) and records what is sent to it; the namespace
// knows its rooms and records broadcasts, as FanoutService and ConnectionsService use them.
import type { Principal } from '../protocol/principal';
import type { GatewayNamespace, GatewaySocket } from '../protocol/socket-state';

/** What a fake socket received: `[event, payload]`. */
export type Sent = [string, unknown];

export interface FakeSocket {
  socket: GatewaySocket;
  /** Events emitted to this socket alone or through a broadcast to one of its rooms. */
  sent: Sent[];
  /** Packets waiting in its write buffer (a slow client has many). */
  writeBuffer: unknown[];
  /** Fires the `drain` listeners of its connection (the buffer emptied). */
  drain(): void;
}

/** A namespace with rooms, sockets and broadcasts, enough for the gateway's services. */
export class FakeNamespace {
  readonly rooms = new Map<string, Set<string>>();
  readonly sockets = new Map<string, GatewaySocket>();
  /** Every broadcast: room, the socket ids left out, event, payload. */
  readonly broadcasts: { room: string; except: string[]; event: string; payload: unknown }[] = [];
  private readonly received = new Map<string, Sent[]>();
  private nextId = 0;

  /** A connected socket of `playerId` (principal allowed `worlds`, every world by default). */
  connect(playerId: string, principal: Partial<Principal> = {}): FakeSocket {
    const id = `socket-${++this.nextId}`;
    const sent: Sent[] = [];
    const writeBuffer: unknown[] = [];
    const drains: (() => void)[] = [];
    const rooms = this.rooms;
    const socket = {
      id,
      connected: true,
      data: {
        principal: { playerId, admin: false, expiresAt: Date.now() + 3_600_000, ...principal },
        worlds: {},
        lastSeq: 0,
      },
      conn: {
        writeBuffer,
        once: (_event: 'drain', listener: () => void) => void drains.push(listener),
      },
      emit: (event: string, payload: unknown) => void sent.push([event, payload]),
      join: async (room: string) =>
        void (rooms.get(room) ?? rooms.set(room, new Set()).get(room)!).add(id),
      leave: async (room: string) => void rooms.get(room)?.delete(id),
    } as unknown as GatewaySocket;
    this.sockets.set(id, socket);
    this.received.set(id, sent);
    return {
      socket,
      sent,
      writeBuffer,
      drain: () => drains.splice(0).forEach((listener) => listener()),
    };
  }

  /** As the socket.io type, for `attach`. */
  asNamespace(): GatewayNamespace {
    const to = (room: string, except: string[] = []) => ({
      except: (ids: string[]) => to(room, [...except, ...ids]),
      emit: (event: string, payload: unknown) => {
        this.broadcasts.push({ room, except, event, payload });
        for (const id of this.rooms.get(room) ?? []) {
          if (!except.includes(id)) this.received.get(id)?.push([event, payload]);
        }
        return true;
      },
    });
    return {
      adapter: { rooms: this.rooms },
      sockets: this.sockets,
      to,
    } as unknown as GatewayNamespace;
  }
}
