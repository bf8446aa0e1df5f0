import { ClientEvent } from '../protocol/events';
import type { FailedAckDto } from '../protocol/dto/command.dto';
import type { ErrorPayload } from '../errors/error-codes';

/** Something that can emit an event (a socket). */
export interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/** The client's sequence number in a payload, if it carries a valid one. */
export function seqOf(data: unknown): number | undefined {
  const seq =
    typeof data === 'object' && data !== null ? (data as { seq?: unknown }).seq : undefined;
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
}

/**
 * Answers a refused event: through its ack when the client asked for one (`{ ok: false, seq?,
 * code, message }`), else with an `exception` event naming the event.
 */
export function replyError(
  socket: Emitter,
  event: string,
  data: unknown,
  ack: unknown,
  error: ErrorPayload,
): void {
  const seq = seqOf(data);
  if (typeof ack === 'function') {
    const failed: FailedAckDto = { ok: false, ...(seq === undefined ? {} : { seq }), ...error };
    (ack as (response: FailedAckDto) => void)(failed);
    return;
  }
  socket.emit(ClientEvent.Exception, { event, ...(seq === undefined ? {} : { seq }), ...error });
}
