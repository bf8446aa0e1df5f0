import { SpanKind, type Span } from '@opentelemetry/api';
import { endSpan, startSpanFrom, traceparentOf } from '@anvil/telemetry';
import type { CloudEvent } from '../event-bus';

/** The producer spans of one publish call, and the events pointed at them. */
export interface PublishSpans {
  events: CloudEvent[];
  /** Ends every span: acknowledged, or failed with `error`. */
  end(error?: unknown): void;
}

/**
 * One producer span per event that carries a `traceparent` (the CloudEvents distributed-tracing
 * extension), child of the span it names; the event sent carries the producer span's context
 * instead, so a consumer's spans continue from the publish. Events without one are sent as they
 * are and cost nothing.
 */
export function startPublishSpans(
  system: 'kafka' | 'memory',
  topic: string,
  key: string,
  events: CloudEvent[],
): PublishSpans {
  // The common case (no event traced) allocates nothing.
  if (!events.some(isTraced)) return { events, end: () => undefined };
  const spans: Span[] = [];
  const traced = events.map((event) => {
    if (!isTraced(event)) return event;
    const span = startSpanFrom(`publish ${topic}`, event.traceparent, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': system,
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.kafka.message.key': key,
        'messaging.message.id': event.id,
        'cloudevents.event_type': event.type,
      },
    });
    spans.push(span);
    const traceparent = traceparentOf(span);
    return traceparent ? { ...event, traceparent } : event;
  });
  return {
    events: traced,
    end: (error) => spans.forEach((span) => endSpan(span, error)),
  };
}

function isTraced(event: CloudEvent): boolean {
  return typeof event.traceparent === 'string' && event.traceparent !== '';
}
