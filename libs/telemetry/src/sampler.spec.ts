import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { samplerFromEnv } from './sampler';
import { TelemetryConfigError } from './telemetry-settings';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const sampledParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: TRACE_ID,
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
});

function decide(env: Record<string, string>, name: string, parent = ROOT_CONTEXT) {
  return samplerFromEnv(env).shouldSample(parent, TRACE_ID, name, SpanKind.INTERNAL, {}, [])
    .decision;
}

describe('samplerFromEnv', () => {
  it('samples every request root by default, and background storage or health roots never', () => {
    expect(decide({}, 'gateway command')).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    for (const name of [
      'prisma:client:operation',
      'pg.query:SELECT anvil',
      'pg-pool.connect',
      'grpc.grpc.health.v1.Health/Check',
    ])
      expect(decide({}, name)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('keeps storage spans inside a sampled request', () => {
    expect(decide({}, 'pg.query:SELECT anvil', sampledParent)).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });

  it('follows the named sampler and ratio', () => {
    expect(decide({ OTEL_TRACES_SAMPLER: 'always_off' }, 'gateway command')).toBe(
      SamplingDecision.NOT_RECORD,
    );
    expect(
      decide(
        { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
        'gateway command',
      ),
    ).toBe(SamplingDecision.NOT_RECORD);
    // Parent-based: a sampled parent wins over a ratio of 0.
    expect(
      decide(
        { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
        'physics apply',
        sampledParent,
      ),
    ).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER="sometimes"/],
    [
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' },
      /OTEL_TRACES_SAMPLER_ARG="2"/,
    ],
    [
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' },
      /OTEL_TRACES_SAMPLER_ARG="half"/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => samplerFromEnv(env)).toThrow(TelemetryConfigError);
    expect(() => samplerFromEnv(env)).toThrow(message);
  });
});
