import './telemetry';
import { processLogOf, runMain } from '@anvil/runtime';
import { bootstrap } from './bootstrap';
import { loadControllerConfig } from './config/controller-config';
import { controllerLogger } from './logging/logger';

/**
 * The resolver controller process: a bad variable exits 1 with a message naming it; SIGTERM or
 * SIGINT stops gracefully (the lease is released), bounded by SHUTDOWN_TIMEOUT_MS.
 */
void runMain({
  config: () => loadControllerConfig(),
  start: (config) => bootstrap({ config }),
  log: (config) => processLogOf(controllerLogger(config)),
});
