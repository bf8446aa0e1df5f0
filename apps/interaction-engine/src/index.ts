// The package's public entry point, for hosts that compose apps in one process (the embedded
// host, docs/embedded.md); `dist/main.js` stays the process entry of containers.
export {
  bootstrap,
  type InteractionBootstrapOptions,
  type RunningInteractionEngine,
} from './bootstrap';
export {
  loadInteractionConfig,
  ConfigError,
  type InteractionConfig,
} from './config/interaction-config';
