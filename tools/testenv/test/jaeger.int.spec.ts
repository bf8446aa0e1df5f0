import { randomBytes } from 'node:crypto';

interface JaegerTrace {
  traceID: string;
  spans: { traceID: string; spanID: string; operationName: string; processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

function envUrl(key: 'TESTENV_OTLP_ENDPOINT' | 'TESTENV_JAEGER_URL'): string {
  const url = process.env[key];
  if (!url) throw new Error(`.testenv/env has no ${key}: run \`npm run testenv:up\` again.`);
  return url;
}

/** GET /api/traces/<id> until the trace is there (the collector stores spans asynchronously). */
async function fetchTrace(traceId: string, timeoutMs = 10_000): Promise<JaegerTrace> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const res = await fetch(`${envUrl('TESTENV_JAEGER_URL')}/api/traces/${traceId}`);
    const body = (await res.json()) as { data: JaegerTrace[] | null; errors?: unknown };
    if (res.status === 200 && body.data?.length) return body.data[0];
    last = `HTTP ${res.status} ${JSON.stringify(body.errors)}`;
    if (Date.now() > deadline)
      throw new Error(`trace ${traceId} not in Jaeger after ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the real Jaeger (OTLP in, query API out)', () => {
  it('returns a span sent as OTLP/HTTP JSON under its trace id', async () => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const end = Date.now();
    const span = {
      traceId,
      spanId,
      name: 'testenv-probe-operation',
      kind: 1, // SPAN_KIND_INTERNAL
      startTimeUnixNano: `${end - 5}000000`,
      endTimeUnixNano: `${end}000000`,
      attributes: [{ key: 'test.pid', value: { intValue: String(process.pid) } }],
    };
    const res = await fetch(`${envUrl('TESTENV_OTLP_ENDPOINT')}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: {
              attributes: [{ key: 'service.name', value: { stringValue: 'testenv-probe' } }],
            },
            scopeSpans: [{ scope: { name: 'tools/testenv' }, spans: [span] }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);

    const trace = await fetchTrace(traceId);
    expect(trace.traceID).toBe(traceId);
    expect(trace.spans).toHaveLength(1);
    const [stored] = trace.spans;
    expect(stored.spanID).toBe(spanId);
    expect(stored.operationName).toBe('testenv-probe-operation');
    expect(trace.processes[stored.processID].serviceName).toBe('testenv-probe');
  });
});
