// The package's public entry point, for hosts that compose apps in one process (the embedded
// host, docs/embedded.md); `dist/main.js` stays the process entry of containers.
export { bootstrap, type AnalyticsBootstrapOptions, type RunningAnalytics } from './bootstrap';
export { loadAnalyticsConfig, ConfigError, type AnalyticsConfig } from './config/analytics-config';
