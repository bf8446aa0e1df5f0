// Scripted players for the host's tests: a gateway connection, and in the tag world
// (deploy/examples/tag-game.yaml) the one who is "it" walking up to another to tag it, as a
// person would with the keyboard.
import { io, type Socket } from 'socket.io-client';
import { playerBodyId } from '@anvil/engine-contract';
import { until, type Host } from './host';

export const TAG_WORLD = 'tag-eu-1';

/** A player connection to the gateway (no automatic reconnection); rejects with the connect_error. */
export function connectPlayer(url: string, jwt: string): Promise<Socket> {
  const s = io(url, {
    auth: { token: jwt },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((ok, fail) => {
    s.once('connect', () => ok(s));
    s.once('connect_error', (e) => {
      s.close();
      fail(e);
    });
  });
}

/** The x of each player's body, from a snapshot the gateway answers. */
async function positions(socket: Socket, players: string[]): Promise<Map<string, number>> {
  const snap = await socket.timeout(10_000).emitWithAck('world:snapshot', { worldId: TAG_WORLD });
  const xs = new Map<string, number>();
  for (const id of players) {
    const body = snap.bodies.find((b: { id: string }) => b.id === playerBodyId(id));
    if (body) xs.set(id, body.x);
  }
  return xs;
}

/**
 * `it` (the socket of the player who is "it") walks towards `targetId` and tries to tag it
 * until a tag lands (reach: 3 player radii, centre to centre); resolves with the tag's ack.
 */
export async function chaseAndTag(
  it: Socket,
  itId: string,
  targetId: string,
  host: Host,
  timeoutMs = 30_000,
): Promise<{ ok: true; tick: number }> {
  let seq = 1_000;
  return until(
    `${itId} to tag ${targetId}`,
    async () => {
      const xs = await positions(it, [itId, targetId]);
      const [from, to] = [xs.get(itId), xs.get(targetId)];
      if (from === undefined || to === undefined) return false;
      const gap = to - from;
      const cmd = (body: object) =>
        it.timeout(10_000).emitWithAck('cmd', { seq: ++seq, worldId: TAG_WORLD, ...body });
      await cmd({ type: 'move', dx: Math.abs(gap) > 700 ? Math.sign(gap) : 0 });
      const ack = await cmd({ type: 'interact', targetId });
      return ack.ok && ack;
    },
    timeoutMs,
    host,
  );
}
