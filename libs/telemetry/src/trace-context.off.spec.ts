import { startSpanFrom, traceparentOf } from './trace-context';

// No SDK in this file: tracing is off, as in every process without an exporter configured.
describe('trace context (tracing off)', () => {
  it("passes the caller's traceparent through unchanged, and records nothing", () => {
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const span = startSpanFrom('hop', caller);
    expect(span.isRecording()).toBe(false);
    expect(traceparentOf(span)).toBe(caller);
    expect(traceparentOf(startSpanFrom('root', undefined))).toBe('');
  });
});
