// Test support: socket.io messages written as text on a real client's transport, for payloads
// the client's own encoder cannot produce (it walks the arguments recursively and overflows its
// stack on deeply nested values), and for answers read off the client's decoded packets.
import type { Socket } from 'socket.io-client';

/** `[` x depth + `]` x depth: an array nested `depth` levels, built without recursion. */
export const deepArrayJson = (depth: number, leaf = ''): string =>
  '['.repeat(depth) + leaf + ']'.repeat(depth);

/** `{"a":` x depth + leaf + `}` x depth: an object nested `depth` levels. */
export const deepObjectJson = (depth: number, leaf = '1'): string =>
  '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);

const PACKET_EVENT = 2;
const PACKET_ACK = 3;
let nextAckId = 1_000_000;

/** What a raw message got back: its ack, an `exception` naming its event, or the connection closing. */
export type RawOutcome =
  | { kind: 'ack'; answer: Record<string, unknown> }
  | { kind: 'exception'; answer: Record<string, unknown> }
  | { kind: 'closed'; reason: string };

/**
 * Sends `["<event>", <payloadJson>]` as one socket.io EVENT packet on the socket's namespace,
 * with an ack id when `withAck`, and resolves with what came back first (rejects after timeoutMs).
 */
export function rawRequest(
  socket: Socket,
  event: string,
  payloadJson: string,
  withAck: boolean,
  timeoutMs = 10_000,
): Promise<RawOutcome> {
  const nsp = (socket as unknown as { nsp: string }).nsp;
  const id = withAck ? nextAckId++ : undefined;
  const prefix = `${PACKET_EVENT}${nsp === '/' ? '' : `${nsp},`}${id ?? ''}`;
  const manager = socket.io;
  return new Promise<RawOutcome>((resolve, reject) => {
    const done = (outcome: RawOutcome) => {
      clearTimeout(timer);
      manager.off('packet', onPacket);
      socket.off('exception', onException);
      socket.off('disconnect', onDisconnect);
      resolve(outcome);
    };
    const onPacket = (packet: { type: number; nsp: string; id?: number; data?: unknown[] }) => {
      if (packet.type === PACKET_ACK && packet.id === id && packet.nsp === nsp)
        done({ kind: 'ack', answer: (packet.data?.[0] ?? {}) as Record<string, unknown> });
    };
    const onException = (answer: Record<string, unknown>) => {
      if (answer['event'] === event.slice(0, 64)) done({ kind: 'exception', answer });
    };
    const onDisconnect = (reason: string) => done({ kind: 'closed', reason });
    const timer = setTimeout(() => {
      manager.off('packet', onPacket);
      socket.off('exception', onException);
      socket.off('disconnect', onDisconnect);
      reject(new Error(`no answer to a raw "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    manager.on('packet', onPacket);
    socket.on('exception', onException);
    socket.once('disconnect', onDisconnect);
    if (!socket.connected) return done({ kind: 'closed', reason: 'not connected' });
    manager.engine.send(`${prefix}[${JSON.stringify(event)},${payloadJson}]`);
  });
}
