import './telemetry';
import { Logger } from '@nestjs/common';
import { runMain } from '@anvil/runtime';
import { loadInteractionConfig } from './config/interaction-config';
import { bootstrap } from './bootstrap';

/** The interaction engine process: config from the environment, graceful shutdown on SIGTERM/SIGINT. */
void runMain({
  config: () => loadInteractionConfig(),
  start: (config) => bootstrap({ config }),
  log: new Logger('main'),
});
