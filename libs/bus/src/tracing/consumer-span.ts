import { SpanKind, type Span } from '@opentelemetry/api';
import { startSpanFrom } from '@anvil/telemetry';
import type { BusMessage } from '../event-bus';

/**
 * A consumer span continuing the trace a message's event carries (the CloudEvents
 * distributed-tracing extension); undefined for an event that carries none, which costs nothing.
 */
export function startConsumerSpan(operation: string, message: BusMessage): Span | undefined {
  const traceparent = message.event?.traceparent;
  if (typeof traceparent !== 'string' || traceparent === '') return undefined;
  return startSpanFrom(`${operation} ${message.topic}`, traceparent, {
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': message.topic,
      'messaging.message.id': message.event.id,
      'cloudevents.event_type': message.event.type,
      'anvil.tick': message.event.tick,
      ...(message.offset === undefined ? {} : { 'messaging.kafka.offset': message.offset }),
    },
  });
}
