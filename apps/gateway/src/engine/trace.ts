import { randomBytes } from 'node:crypto';

/** A W3C trace context (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  traceId: string;
  /** The `traceparent` header value to pass on. */
  traceparent: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Continues the caller's trace when `traceparent` is valid, else starts a new one. */
export function traceFrom(traceparent?: string): TraceContext {
  const traceId =
    (traceparent && TRACEPARENT.exec(traceparent)?.[1]) || randomBytes(16).toString('hex');
  if (/^0+$/.test(traceId)) return traceFrom(undefined);
  const spanId = randomBytes(8).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${spanId}-01` };
}
