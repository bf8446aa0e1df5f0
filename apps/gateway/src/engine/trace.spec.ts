import { traceFrom } from './trace';

const FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('traceFrom', () => {
  it('starts new traces with distinct ids, also across refills of the random pool', () => {
    const ids = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const trace = traceFrom();
      const [, traceId, spanId] = FORMAT.exec(trace.traceparent) ?? [];
      expect(traceId).toBe(trace.traceId);
      ids.add(traceId);
      spans.add(spanId);
    }
    expect(ids.size).toBe(1_000);
    expect(spans.size).toBe(1_000);
  });

  it("continues a valid caller's trace with a span of its own, and starts over on an invalid one", () => {
    const caller = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`;
    expect(traceFrom(caller).traceId).toBe('ab'.repeat(16));
    expect(traceFrom(caller).traceparent).not.toBe(caller);
    for (const bad of ['garbage', `00-${'0'.repeat(32)}-${'cd'.repeat(8)}-01`])
      expect(traceFrom(bad).traceId).not.toMatch(/^0+$|garbage/);
  });
});
