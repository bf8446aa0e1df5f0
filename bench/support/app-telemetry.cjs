// Telemetry of a benchmark's server process run as one app (anvil-server.cjs, engines-server.cjs
// with BENCH_PROCESS_PER_APP=1): the app's own dist/telemetry.js first, as its main.ts imports it
// (tracing off unless OTEL_* variables configure an exporter, see libs/telemetry). With tracing
// on, the SDK's warnings that matter to a measurement (spans dropped from a full export queue,
// failed exports) are printed and sent to the parent as { telemetry: { dropped, failed } }.
const path = require('node:path');

const DROPPED = /Dropped (\d+) spans/;

/** Starts the telemetry of `app` (apps/<app>); call it before anything loads gRPC or http. */
function startAppTelemetry(app) {
  require(path.join(__dirname, '..', '..', 'apps', app, 'dist', 'telemetry.js'));
  if (!Object.keys(process.env).some((name) => name.startsWith('OTEL_'))) return;
  const { diag, DiagLogLevel } = require('@opentelemetry/api');
  const tell = (telemetry) => process.connected && process.send({ telemetry }, () => undefined);
  const text = (args) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const warn = (...args) => {
    const message = text(args);
    const dropped = DROPPED.exec(message);
    console.warn(`[${app} telemetry] ${message}`);
    if (dropped) tell({ dropped: Number(dropped[1]), failed: 0 });
  };
  const error = (...args) => {
    console.warn(`[${app} telemetry] error: ${text(args)}`);
    tell({ dropped: 0, failed: 1 });
  };
  const quiet = () => undefined;
  diag.setLogger(
    { error, warn, info: quiet, debug: quiet, verbose: quiet },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}

module.exports = { startAppTelemetry };
