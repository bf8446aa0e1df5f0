import { Injectable } from '@nestjs/common';
import { ADMIN_NAMESPACE } from '../protocol/events';
import type { GatewayNamespace, GatewaySocket } from '../protocol/socket-state';

/** The main namespace's connections, for whoever needs to find a player's sockets (kicks). */
@Injectable()
export class ConnectionsService {
  private nsp?: GatewayNamespace;

  /** Set by the world gateway once socket.io is up. */
  attach(nsp: GatewayNamespace): void {
    this.nsp = nsp;
  }

  /** Closes every connection of every namespace (shutdown). */
  disconnectAll(): void {
    this.nsp?.server.of(ADMIN_NAMESPACE).disconnectSockets(true);
    this.nsp?.disconnectSockets(true);
  }

  /** The connected sockets of a player on this instance. */
  socketsOf(playerId: string): GatewaySocket[] {
    return [...(this.nsp?.sockets.values() ?? [])].filter(
      (s) => s.data.principal?.playerId === playerId,
    );
  }
}
