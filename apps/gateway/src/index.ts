// The package's public entry point, for hosts that compose apps in one process (the embedded
// host, docs/embedded.md); `dist/main.js` stays the process entry of containers.
export { bootstrap, type GatewayBootstrapOptions, type RunningGateway } from './bootstrap';
export { loadGatewayConfig, ConfigError, type GatewayConfig } from './config/gateway-config';
export { toSnapshotDto } from './engine/snapshot-dto';
export type { BodySnapshotDto, WorldSnapshotDto } from './protocol/dto/world.dto';
