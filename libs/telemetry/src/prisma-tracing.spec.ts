import { ROOT_CONTEXT, context, trace, type Context } from '@opentelemetry/api';
import { finishedSpan, recordSpans } from './testing';
import { ParentOnlyPrismaInstrumentation, ParentOnlyTracingHelper } from './prisma-tracing';
import { tracer } from './trace-context';

const spans = recordSpans();
const instrumentation = new ParentOnlyPrismaInstrumentation();
instrumentation.enable();

/** The helper Prisma's client finds, as it looks it up. */
const helper = () =>
  (globalThis as unknown as Record<string, { helper: ParentOnlyTracingHelper }>)
    .PRISMA_INSTRUMENTATION!.helper;

/** A sampled-out parent: spans under it are not recorded. */
const notSampled: Context = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 0,
});

describe('ParentOnlyPrismaInstrumentation', () => {
  beforeEach(() => spans.reset());
  afterAll(() => instrumentation.disable());

  it("wraps Prisma's helper once, however often it is enabled", () => {
    instrumentation.enable();
    expect(helper()).toBeInstanceOf(ParentOnlyTracingHelper);
    expect((helper() as unknown as { inner: unknown }).inner).not.toBeInstanceOf(
      ParentOnlyTracingHelper,
    );
  });

  it('opens no span and calls back at once outside a recording span', async () => {
    expect(helper().isEnabled()).toBe(false);
    const args = await helper().runInChildSpan({ name: 'operation' }, async (...a) => a);
    expect(args).toEqual([]);
    context.with(notSampled, () => {
      expect(helper().isEnabled()).toBe(false);
      helper().runInChildSpan('serialize', () => undefined);
    });
    const emitted: unknown[] = [];
    helper().dispatchEngineSpans(
      [{ id: '1', parentId: null, name: 'prisma:engine:query' }],
      ['e'],
      (e) => emitted.push(e),
    );
    expect(emitted).toEqual(['e']);
    expect(spans.getFinishedSpans()).toEqual([]);
  });

  it("traces Prisma's operations as children of a recording span", async () => {
    await tracer.startActiveSpan('checkpoint write', async (parent) => {
      expect(helper().isEnabled()).toBe(true);
      await helper().runInChildSpan({ name: 'operation' }, async () =>
        helper().runInChildSpan('serialize', () => undefined),
      );
      parent.end();
    });
    const parent = finishedSpan(spans, 'checkpoint write');
    const operation = finishedSpan(spans, 'prisma:client:operation');
    expect(operation.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(finishedSpan(spans, 'prisma:client:serialize').parentSpanContext?.spanId).toBe(
      operation.spanContext().spanId,
    );
  });

  it('follows the parent an inactive span names rather than the active context', () => {
    const parent = tracer.startSpan('request');
    helper().runInChildSpan(
      { name: 'operation', active: false, context: trace.setSpan(ROOT_CONTEXT, parent) },
      () => undefined,
    );
    parent.end();
    expect(finishedSpan(spans, 'prisma:client:operation').parentSpanContext?.spanId).toBe(
      parent.spanContext().spanId,
    );
  });
});
