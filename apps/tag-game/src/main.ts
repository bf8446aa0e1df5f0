import './telemetry';
import { Logger } from '@nestjs/common';
import { runMain } from '@anvil/runtime';
import { loadTagConfig } from './config/tag-config';
import { bootstrap } from './bootstrap';

/** The tag game process: config from the environment, graceful shutdown on SIGTERM/SIGINT. */
void runMain({
  config: () => loadTagConfig(),
  start: (config) => bootstrap({ config }),
  log: new Logger('main'),
});
