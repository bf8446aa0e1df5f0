import { SpanKind } from '@opentelemetry/api';
import { inSpan, traceparentOf } from './trace-context';

/** The attributes of a command hop's span (no player ids in metric labels; spans may hold them). */
export interface TracedCommand {
  type: string;
}

/**
 * One engine's hop of a command: a server span, child of the caller's `traceparent`, that lasts
 * until the engine answers (applied, or refused with its code) and records the tick it applies
 * at. `work` gets the `traceparent` to pass on, so the next hop's span is this one's child.
 */
export function traceCommand<T extends { applyTick: number }>(
  name: string,
  worldId: string,
  command: TracedCommand,
  traceparent: string | undefined,
  work: (traceparent: string) => Promise<T>,
): Promise<T> {
  const attributes = { 'anvil.world.id': worldId, 'anvil.command.type': command.type };
  return inSpan(name, traceparent, { kind: SpanKind.SERVER, attributes }, async (span) => {
    const result = await work(traceparentOf(span) || (traceparent ?? ''));
    span.setAttribute('anvil.tick', result.applyTick);
    return result;
  });
}

/**
 * The trace a batch joins when many commands share one event (a tick's delta, its log entry): the
 * first sampled command's, else the first one's.
 */
export function batchTrace(traceparents: readonly string[]): string | undefined {
  return traceparents.find(isSampled) ?? traceparents[0];
}

function isSampled(traceparent: string): boolean {
  return (Number.parseInt(traceparent.slice(-2), 16) & 1) === 1;
}
