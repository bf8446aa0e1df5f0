import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

let exporter: InMemorySpanExporter | undefined;

/**
 * Turns tracing on for this test file (a real SDK, spans kept in memory) and returns the spans'
 * exporter, emptied. Registered once per file: the OpenTelemetry globals cannot be swapped.
 */
export function recordSpans(): InMemorySpanExporter {
  if (!exporter) {
    exporter = new InMemorySpanExporter();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
  }
  exporter.reset();
  return exporter;
}

/** The finished span named `name` (the test fails when there is none). */
export function finishedSpan(spans: InMemorySpanExporter, name: string): ReadableSpan {
  const span = spans.getFinishedSpans().find((candidate) => candidate.name === name);
  if (!span) {
    const names = spans.getFinishedSpans().map((candidate) => candidate.name);
    throw new Error(`no finished span "${name}"; there are ${JSON.stringify(names)}`);
  }
  return span;
}
