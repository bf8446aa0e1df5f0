/** How this process exports traces, read from the standard `OTEL_*` variables. */
export interface TelemetrySettings {
  /** False: no SDK is started, spans cost a no-op call and trace ids still pass through. */
  enabled: boolean;
  exporter: 'otlp' | 'console';
  /** The OTLP transport (`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`). */
  protocol: 'http/protobuf' | 'http/json' | 'grpc';
  /** Why tracing is off, for the log line at start. */
  reason: string;
}

type Env = Record<string, string | undefined>;

const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;

/**
 * Tracing is off unless an exporter is configured: `OTEL_TRACES_EXPORTER=otlp|console`, or an
 * OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) with no
 * exporter named. `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none` turn it off. A value
 * the SDK would not understand is an error, not a silent default.
 */
export function telemetrySettings(env: Env): TelemetrySettings {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  ).trim();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new TelemetryConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${JSON.stringify(protocol)} is not supported; use ${PROTOCOLS.join(', ')}`,
    );
  }
  const off = (reason: string): TelemetrySettings => ({
    enabled: false,
    exporter: 'otlp',
    protocol: protocol as TelemetrySettings['protocol'],
    reason,
  });
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true')
    return off('OTEL_SDK_DISABLED=true');
  const named = (env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase();
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (named === '') {
    if (!endpoint)
      return off('no exporter configured (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT)');
    return {
      enabled: true,
      exporter: 'otlp',
      protocol: protocol as TelemetrySettings['protocol'],
      reason: '',
    };
  }
  if (named === 'none') return off('OTEL_TRACES_EXPORTER=none');
  if (named !== 'otlp' && named !== 'console') {
    throw new TelemetryConfigError(
      `OTEL_TRACES_EXPORTER=${JSON.stringify(named)} is not supported; use otlp, console or none`,
    );
  }
  return {
    enabled: true,
    exporter: named,
    protocol: protocol as TelemetrySettings['protocol'],
    reason: '',
  };
}

/** A tracing variable with a value the process cannot use. */
export class TelemetryConfigError extends Error {
  override readonly name = 'TelemetryConfigError';
}
