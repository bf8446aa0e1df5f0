// The package's public entry point, for hosts that compose apps in one process (the embedded
// host, docs/embedded.md); `dist/main.js` stays the process entry of containers.
export { bootstrap, type PhysicsBootstrapOptions, type RunningPhysicsEngine } from './bootstrap';
export { loadPhysicsConfig, ConfigError, type PhysicsConfig } from './config/physics-config';
