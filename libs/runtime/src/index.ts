// @anvil/runtime: what every app's process shares: its lifecycle (runMain), config reading
// (zod, ConfigError, the bus/log/shutdown variables), the bus factory, clocks and the logger.
export { CONFIG_INVALID, ConfigError } from './config/config-error';
export { int, issuesOf, list, parseEnv, withoutBlanks, type Env } from './config/env';
export {
  LOG_LEVELS,
  NOT_ALLOWED,
  busEnv,
  busIssues,
  logLevelEnv,
  shutdownEnv,
  toBusConfig,
  type LogLevel,
} from './config/shared-env';
export {
  engineEnv,
  moduleVersionEnv,
  parseEngineEnv,
  toEngineServerConfig,
  type EngineEnvDefaults,
  type EngineLimits,
  type EngineServerConfig,
} from './config/engine-env';
export { createBus, holdBus, type BusConfig, type HeldBus } from './bus/create-bus';
export { SUBSCRIBE_RETRY, subscribeWithRetry } from './bus/subscribe-with-retry';
export {
  sleep,
  systemClock,
  systemTimers,
  unrefTimers,
  wallClock,
  type Clock,
  type TimerHandle,
  type Timers,
} from './time/clock';
export { ManualClock } from './time/manual-clock';
export { Semaphore } from './concurrency/semaphore';
export { NestPinoLogger, createLogger, processLogOf, type LoggerOptions } from './logging/logger';
export { closeOnce } from './process/close-once';
export {
  runMain,
  type Closable,
  type MainOptions,
  type ProcessLog,
  type ProcessPort,
} from './process/run-main';
export { MetricsServer, type MetricsRegistry } from './metrics/metrics-server';
