import { randomFillSync } from 'node:crypto';
import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { inSpan, traceparentOf } from '@anvil/telemetry';

/** A W3C trace context (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  traceId: string;
  /** The `traceparent` header value to pass on. */
  traceparent: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Random bytes for ids, drawn from a pool refilled 4 KiB at a time: every command starts a trace,
 * and one crypto call per id costs more than the rest of the id (about 20 µs against 1 µs).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** Continues the caller's trace when `traceparent` is valid, else starts a new one. */
export function traceFrom(traceparent?: string): TraceContext {
  const traceId = (traceparent && TRACEPARENT.exec(traceparent)?.[1]) || randomHex(16);
  if (/^0+$/.test(traceId)) return traceFrom(undefined);
  const spanId = randomHex(8);
  return { traceId, traceparent: `00-${traceId}-${spanId}-01` };
}

/**
 * The trace of a span: its own ids while tracing is on; else the caller's trace continued (or a
 * new one), so the audit log and the engines get a trace id either way.
 */
export function traceOfSpan(span: Span, clientTraceparent?: string): TraceContext {
  const traceparent = traceparentOf(span);
  if (!traceparent || traceparent === clientTraceparent) return traceFrom(clientTraceparent);
  return { traceId: span.spanContext().traceId, traceparent };
}

/**
 * Runs one client request in a server span that continues the client's `traceparent` (or starts
 * the trace); the span is active for the request's engine calls and ends when the work settles.
 */
export function traced<T>(
  name: string,
  clientTraceparent: string | undefined,
  attributes: Attributes,
  work: (trace: TraceContext) => Promise<T>,
): Promise<T> {
  return inSpan(name, clientTraceparent, { kind: SpanKind.SERVER, attributes }, (span) =>
    work(traceOfSpan(span, clientTraceparent)),
  );
}
