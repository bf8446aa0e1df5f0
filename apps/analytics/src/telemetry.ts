import { startTelemetry } from '@anvil/telemetry';

// Imported first by main.ts: tracing must start before gRPC, pg and http are loaded.
startTelemetry({ service: 'analytics' });
