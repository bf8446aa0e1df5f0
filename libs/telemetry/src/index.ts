export * from './telemetry-settings';
export * from './trace-context';
export { startTelemetry, shutdownTelemetry, type TelemetryOptions } from './start-telemetry';
export * from './command-spans';
export { RecentCommands, type CommandHop, type RecentCommand } from './recent-commands';
