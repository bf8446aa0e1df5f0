import type { Server } from 'socket.io';

/** The engine.io connection under a socket.io socket (only what this module uses). */
interface EngineConnection {
  on(event: 'packet', listener: (packet: { type: string; data?: unknown }) => void): unknown;
}

const BYTES = Symbol('anvil.messageBytes');
type Counted = { [BYTES]?: number };

function byteLength(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

/**
 * Counts, per engine.io connection, the bytes of the socket.io message being decoded: engine.io
 * emits `packet` before socket.io decodes the same data, synchronously, so the count is what
 * the client sent, never a re-serialisation of the decoded value. A text packet starts a new
 * message; binary packets are the attachments of the text packet before them and add to it.
 */
export function countMessageBytes(server: Server): void {
  server.engine.on('connection', (conn: EngineConnection & Counted) => {
    conn.on('packet', (packet) => {
      if (packet.type !== 'message') return;
      const bytes = byteLength(packet.data);
      conn[BYTES] = typeof packet.data === 'string' ? bytes : (conn[BYTES] ?? 0) + bytes;
    });
  });
}

/** Bytes of the message a socket is handling now (0 when not counted). */
export function messageBytes(conn: unknown): number {
  return (conn as Counted | undefined)?.[BYTES] ?? 0;
}
