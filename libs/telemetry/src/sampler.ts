import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';
import { TelemetryConfigError } from './telemetry-settings';

/**
 * Spans that start no trace of their own: storage calls and health probes made outside any
 * request (lease renewals, load reports, polls, probes) would each be a trace, many per second.
 * Inside a request's trace they are kept.
 */
const BACKGROUND_ROOTS = [/^prisma:/, /^pg[.-]/, /^grpc\.grpc\.health\.v1\./];

/** Drops the root spans of background work, asks `inner` about every other root. */
export class RequestRootSampler implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (BACKGROUND_ROOTS.some((pattern) => pattern.test(spanName)))
      return { decision: SamplingDecision.NOT_RECORD };
    return this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `RequestRootSampler{${this.inner.toString()}}`;
  }
}

type Env = Record<string, string | undefined>;

/**
 * The sampler `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` name (the standard values; default
 * parent-based always-on), with background work's roots dropped. A child follows its parent's
 * decision whichever sampler is named, except under the non-parent-based ones, as specified.
 */
export function samplerFromEnv(env: Env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase() || 'parentbased_always_on';
  const ratio = () => {
    const raw = (env.OTEL_TRACES_SAMPLER_ARG ?? '').trim();
    const value = raw === '' ? 1 : Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1)
      throw new TelemetryConfigError(
        `OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(raw)} is not a ratio between 0 and 1`,
      );
    return new TraceIdRatioBasedSampler(value);
  };
  const parentBased = (root: Sampler) =>
    new ParentBasedSampler({ root: new RequestRootSampler(root) });
  switch (name) {
    case 'always_on':
      return new RequestRootSampler(new AlwaysOnSampler());
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new RequestRootSampler(ratio());
    case 'parentbased_always_on':
      return parentBased(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return parentBased(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return parentBased(ratio());
    default:
      throw new TelemetryConfigError(
        `OTEL_TRACES_SAMPLER=${JSON.stringify(name)} is not supported; use always_on, always_off, traceidratio or their parentbased_ forms`,
      );
  }
}
