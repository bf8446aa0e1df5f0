import { hostname } from 'node:os';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ParentOnlyPrismaInstrumentation } from './prisma-tracing';
import { samplerFromEnv } from './sampler';
import { telemetrySettings, type TelemetrySettings } from './telemetry-settings';

/** What `startTelemetry` needs besides the environment. */
export interface TelemetryOptions {
  /** `service.name` unless `OTEL_SERVICE_NAME` says otherwise. */
  service: string;
  env?: Record<string, string | undefined>;
  /** Extra processors (the embedded platform's recent-spans view), on top of the exporter's. */
  spanProcessors?: SpanProcessor[];
}

/**
 * gRPC methods that get no span of the instrumentation: a StreamCommands stream lives as long as
 * its connection (each command has spans of its own), Tick is called once per tick (tick loops
 * are metrics, not spans), and health Check/Watch are probes.
 */
const UNTRACED_GRPC_METHODS = ['StreamCommands', 'Tick', 'Check', 'Watch'];

/** HTTP paths scraped or probed all day, which would only add root spans. */
const UNTRACED_HTTP_PATHS = ['/metrics', '/healthz', '/readyz', '/livez'];
/** socket.io's polling requests: each client event gets its own span from the gateway. */
const UNTRACED_HTTP_PREFIX = '/socket.io/';

const OTLP_GRPC = '@opentelemetry/exporter-trace-otlp-grpc';
const OTLP_PROTO = '@opentelemetry/exporter-trace-otlp-proto';
const OTLP_JSON = '@opentelemetry/exporter-trace-otlp-http';

let provider: NodeTracerProvider | undefined;

/**
 * Starts OpenTelemetry tracing for this process when an exporter is configured (see
 * `telemetrySettings`). Call it before anything loads `@grpc/grpc-js`, `pg` or `http`: each app's
 * `src/telemetry.ts` does, imported first by its `main.ts`. Sampling follows `OTEL_TRACES_SAMPLER`
 * / `OTEL_TRACES_SAMPLER_ARG` (default: parent-based, always on), the exporter the other standard
 * `OTEL_EXPORTER_OTLP_*` variables. Returns the settings used; a bad variable ends the process
 * with its message, as a bad config does.
 */
export function startTelemetry(options: TelemetryOptions): TelemetrySettings {
  const env = options.env ?? process.env;
  let settings: TelemetrySettings;
  let sampler: Sampler;
  try {
    settings = telemetrySettings(env);
    sampler = samplerFromEnv(env);
  } catch (error) {
    console.error(`invalid ${options.service} config: ${(error as Error).message}`);
    process.exit(1);
  }
  const extra = options.spanProcessors ?? [];
  if (provider || (!settings.enabled && extra.length === 0)) return settings;
  // First, so the modules they patch are patched before anything (an exporter) loads them; they
  // use the global tracer provider, registered below.
  const disabled = disabledInstrumentations(env);
  registerInstrumentations({
    instrumentations: [
      !disabled.has('grpc') &&
        new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC_METHODS }),
      !disabled.has('http') &&
        new HttpInstrumentation({
          ignoreIncomingRequestHook: (request) => {
            const path = (request.url ?? '').split('?')[0]!;
            return UNTRACED_HTTP_PATHS.includes(path) || path.startsWith(UNTRACED_HTTP_PREFIX);
          },
        }),
      // Lease heartbeats and polls run outside any command: their queries would each be a trace.
      !disabled.has('pg') && new PgInstrumentation({ requireParentSpan: true }),
      !disabled.has('prisma') && new ParentOnlyPrismaInstrumentation(),
    ].filter((instrumentation) => instrumentation !== false),
  });
  const processors = settings.enabled
    ? [new BatchSpanProcessor(exporterFor(settings)), ...extra]
    : extra;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.service,
      'service.instance.id': `${hostname()}:${process.pid}`,
    }).merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: processors,
    sampler,
  });
  provider.register();
  return settings;
}

/**
 * The instrumentations `OTEL_NODE_DISABLED_INSTRUMENTATIONS` turns off (as the Node
 * auto-instrumentations read it): `grpc`, `http`, `pg`, `prisma`, comma-separated.
 */
function disabledInstrumentations(env: Record<string, string | undefined>): Set<string> {
  return new Set(
    (env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

function exporterFor(settings: TelemetrySettings): SpanExporter {
  if (settings.exporter === 'console') return new ConsoleSpanExporter();
  // Loaded on demand, after the instrumentations are registered: the gRPC transport loads
  // @grpc/grpc-js, which must be patched before anything holds it (see createBus for why a
  // plain require of a named entry point).
  if (settings.protocol === 'grpc') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const grpc = require(OTLP_GRPC) as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
    return new grpc.OTLPTraceExporter();
  }
  if (settings.protocol === 'http/json') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require(OTLP_JSON) as typeof import('@opentelemetry/exporter-trace-otlp-http');
    return new json.OTLPTraceExporter();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proto = require(OTLP_PROTO) as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  return new proto.OTLPTraceExporter();
}

/** How long a stopping process waits for its last spans to be exported (a receiver may be down). */
export const SHUTDOWN_FLUSH_MS = 2_000;

/**
 * Exports the spans still buffered and stops tracing (a process's last step), for at most
 * SHUTDOWN_FLUSH_MS; a no-op when off.
 */
export async function shutdownTelemetry(): Promise<void> {
  const started = provider;
  provider = undefined;
  if (!started) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    started.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref())),
  ]);
  clearTimeout(timer);
}
