import './telemetry';
import { runMain } from '@anvil/runtime';
import { loadGatewayConfig } from './config/gateway-config';
import { bootstrap } from './bootstrap';

/** The gateway process: config from the environment, graceful shutdown on SIGTERM/SIGINT. */
void runMain({ config: () => loadGatewayConfig(), start: (config) => bootstrap({ config }) });
