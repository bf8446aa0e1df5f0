import {
  ROOT_CONTEXT,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Our spans. Without a started SDK (tracing off) this tracer is a no-op whose spans carry their
 * parent's context, so a `traceparent` still passes through every hop unchanged.
 */
export const tracer = trace.getTracer('anvil');

const w3c = new W3CTraceContextPropagator();

/**
 * The context a W3C `traceparent` (and `tracestate`) names; the empty root context when it is
 * missing or malformed (a malformed one starts a new trace, never an error). Our hops carry the
 * context as this string because a command crosses queues and batches where no async context
 * follows it.
 */
export function contextFrom(traceparent?: string, tracestate?: string): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier.tracestate = tracestate;
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/** The `traceparent` that makes a receiver's spans children of `span`; '' when it has no valid context. */
export function traceparentOf(span: Span): string {
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier.traceparent ?? '';
}

/** A link to the span a `traceparent` names, or undefined when it names none. */
export function linkTo(traceparent: string): Link | undefined {
  const spanContext = trace.getSpanContext(contextFrom(traceparent));
  return spanContext ? { context: spanContext } : undefined;
}

/** Starts a span whose parent is the span `traceparent` names (a new trace without one). */
export function startSpanFrom(
  name: string,
  traceparent: string | undefined,
  options?: SpanOptions,
): Span {
  return tracer.startSpan(name, options, contextFrom(traceparent));
}

/** Ends a span, marked failed with the error's message when there is one. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' || typeof code === 'number')
      span.setAttribute('anvil.error.code', code);
  }
  span.end();
}

/**
 * Runs `work` inside a span (active for its awaits, so instrumented calls such as SQL queries
 * become its children) and ends it when the work settles.
 */
export async function inSpan<T>(
  name: string,
  parent: string | Context | undefined,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parentContext = typeof parent === 'object' ? parent : contextFrom(parent);
  const span = tracer.startSpan(name, options, parentContext);
  try {
    const result = await context.with(trace.setSpan(parentContext, span), () => work(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/**
 * `callback` bound to no trace. A loop started while serving a request (a world's tick loop, its
 * lease renewal, a consumer) would otherwise make every later turn part of that request's trace.
 */
export function detached<A extends unknown[], R>(callback: (...args: A) => R): (...args: A) => R {
  return context.bind(ROOT_CONTEXT, callback);
}

/** Runs `start` outside any trace (see `detached`): what it starts belongs to no request. */
export function startDetached<R>(start: () => R): R {
  return context.with(ROOT_CONTEXT, start);
}
