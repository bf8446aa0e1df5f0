import './telemetry';
import { runMain } from '@anvil/runtime';
import { loadAnalyticsConfig } from './config/analytics-config';
import { bootstrap } from './bootstrap';

/** The analytics process: config from the environment, graceful shutdown on SIGTERM/SIGINT. */
void runMain({ config: () => loadAnalyticsConfig(), start: (config) => bootstrap({ config }) });
