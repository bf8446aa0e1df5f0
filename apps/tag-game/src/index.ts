// The package's public entry point, for hosts that compose apps in one process (the embedded
// host, docs/embedded.md); `dist/main.js` stays the process entry of containers.
export { bootstrap, TAG_SOURCE, type RunningTagGame, type TagBootstrapOptions } from './bootstrap';
export { loadTagConfig, ConfigError, type TagConfig } from './config/tag-config';
export { TAGGED_EVENT_TYPE, type TaggedData } from './rules/tagged-event';
export type { TagPublicState } from './rules/tag-rules';
