import { RecentCommands, startTelemetry } from '@anvil/telemetry';

/**
 * The hops of the last commands, from their spans, for the page (GET /api/commands). Tracing is
 * on in the embedded platform for this alone; the OTEL_* variables add an exporter as in any app.
 * Imported first by main.ts: tracing must start before gRPC, pg and http are loaded.
 */
export const recentCommands = new RecentCommands();
startTelemetry({ service: 'anvil-embedded', spanProcessors: [recentCommands] });
