import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { finishedSpan, recordSpans } from './testing';
import { batchTrace, traceCommand } from './command-spans';
import {
  contextFrom,
  detached,
  inSpan,
  linkTo,
  startSpanFrom,
  traceparentOf,
} from './trace-context';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('trace context (tracing on)', () => {
  const spans = recordSpans();
  beforeEach(() => spans.reset());

  it('continues the trace a traceparent names and passes its own span on', () => {
    const span = startSpanFrom('hop', CALLER);
    const passed = traceparentOf(span);
    span.end();
    expect(passed).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(passed).not.toBe(CALLER);
    expect(finishedSpan(spans, 'hop').parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it.each([
    '',
    'garbage',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    'x'.repeat(10_000),
  ])('starts a new trace for a missing or malformed traceparent (%s)', (bad) => {
    expect(trace.getSpanContext(contextFrom(bad))).toBeUndefined();
    const span = startSpanFrom('root', bad);
    span.end();
    expect(finishedSpan(spans, 'root').parentSpanContext).toBeUndefined();
  });

  it('links to the span a traceparent names, and to nothing for a bad one', () => {
    expect(linkTo(CALLER)?.context.spanId).toBe('b7ad6b7169203331');
    expect(linkTo('nope')).toBeUndefined();
  });

  it('traceCommand: a child span that records the apply tick and hands its context to the next hop', async () => {
    let next = '';
    const result = await traceCommand(
      'physics apply',
      'w1',
      { type: 'move' },
      CALLER,
      async (passed) => {
        next = passed;
        return { applyTick: 42, entityId: 'b' };
      },
    );
    expect(result.applyTick).toBe(42);
    const span = finishedSpan(spans, 'physics apply');
    expect(span.attributes).toMatchObject({
      'anvil.world.id': 'w1',
      'anvil.command.type': 'move',
      'anvil.tick': 42,
    });
    expect(next).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it('a refused command ends its span failed, with the error code', async () => {
    const refusal = Object.assign(new Error('too far'), { code: 'RESOURCE_EXHAUSTED' });
    await expect(
      traceCommand('interaction validate', 'w1', { type: 'move' }, CALLER, () =>
        Promise.reject(refusal),
      ),
    ).rejects.toBe(refusal);
    const span = finishedSpan(spans, 'interaction validate');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'too far' });
    expect(span.attributes['anvil.error.code']).toBe('RESOURCE_EXHAUSTED');
  });

  it('inSpan makes its span active for the work, so nested spans are its children', async () => {
    await inSpan('outer', CALLER, {}, async () => {
      await Promise.resolve();
      trace.getTracer('t').startSpan('inner').end();
    });
    expect(finishedSpan(spans, 'inner').parentSpanContext?.spanId).toBe(
      finishedSpan(spans, 'outer').spanContext().spanId,
    );
  });

  it('a detached callback runs in no trace, even when bound inside one', async () => {
    let active: unknown = 'unset';
    await inSpan('request', CALLER, {}, async () => {
      const later = detached(() => (active = trace.getActiveSpan()));
      await new Promise<void>((resolve) => setTimeout(() => (later(), resolve()), 1));
    });
    expect(active).toBeUndefined();
    expect(context.active()).toBeDefined();
  });

  it('batchTrace: the first sampled trace of a batch, else its first', () => {
    const unsampled = '00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    expect(batchTrace([unsampled, CALLER])).toBe(CALLER);
    expect(batchTrace([unsampled])).toBe(unsampled);
    expect(batchTrace([])).toBeUndefined();
  });
});
