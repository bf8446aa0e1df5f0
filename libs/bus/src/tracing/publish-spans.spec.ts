import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { finishedSpan, recordSpans } from '@anvil/telemetry/testing';
import type { BusMessage, CloudEvent } from '../event-bus';
import { InMemoryBus } from '../in-memory/in-memory-bus';
import { startConsumerSpan } from './consumer-span';
import { startPublishSpans } from './publish-spans';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function event(traceparent?: string): CloudEvent {
  return {
    specversion: '1.0',
    id: 'e1',
    source: '/test',
    type: 'dev.anvil.test',
    subject: 'w1',
    time: '2026-12-01T00:00:00Z',
    datacontenttype: 'application/json',
    tick: 3,
    data: {},
    ...(traceparent ? { traceparent } : {}),
  };
}

describe('publish and consumer spans', () => {
  const spans = recordSpans();
  beforeEach(() => spans.reset());

  it('a traced event is sent pointing at its producer span, a child of the trace it carried', () => {
    const original = event(CALLER);
    const publish = startPublishSpans('kafka', 'anvil.world.physics', 'w1', [original, event()]);
    publish.end();
    const span = finishedSpan(spans, 'publish anvil.world.physics');
    expect(span.kind).toBe(SpanKind.PRODUCER);
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'anvil.world.physics',
      'messaging.message.id': 'e1',
    });
    expect(publish.events[0]!.traceparent).toBe(
      `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    );
    expect(original.traceparent).toBe(CALLER); // the caller's event is not changed
    expect(publish.events[1]).toEqual(event()); // untraced: as it was, and no span
    expect(spans.getFinishedSpans()).toHaveLength(1);
  });

  it('a refused publish ends its spans failed', async () => {
    const bus = new InMemoryBus();
    await expect(bus.publish('Not A Topic!', 'w1', [event(CALLER)])).rejects.toThrow();
    expect(finishedSpan(spans, 'publish Not A Topic!').status.code).toBe(SpanStatusCode.ERROR);
    await bus.close();
  });

  it('a consumer continues the trace the delivered event carries', async () => {
    const bus = new InMemoryBus();
    const delivered: BusMessage[] = [];
    await bus.subscribe({ topic: 'anvil.world.physics', group: 'g' }, async (message) => {
      delivered.push(message);
    });
    await bus.publish('anvil.world.physics', 'w1', [event(CALLER)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const consumer = startConsumerSpan('fan-out', delivered[0]!);
    consumer?.end();
    expect(finishedSpan(spans, 'fan-out anvil.world.physics').parentSpanContext?.spanId).toBe(
      finishedSpan(spans, 'publish anvil.world.physics').spanContext().spanId,
    );
    expect(startConsumerSpan('fan-out', { ...delivered[0]!, event: event() })).toBeUndefined();
    await bus.close();
  });
});
