import './telemetry';
import { Logger } from '@nestjs/common';
import { runMain } from '@anvil/runtime';
import { loadPhysicsConfig } from './config/physics-config';
import { bootstrap } from './bootstrap';

/** The physics engine process: config from the environment, graceful shutdown on SIGTERM/SIGINT. */
void runMain({
  config: () => loadPhysicsConfig(),
  start: (config) => bootstrap({ config }),
  log: new Logger('main'),
});
