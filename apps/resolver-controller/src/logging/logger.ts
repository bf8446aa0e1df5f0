import type { Logger } from 'pino';
import { createLogger } from '@anvil/runtime';
import type { ControllerConfig } from '../config/controller-config';
import type { Log } from '../reconcile/cluster-writer';

/** The process logger: JSON lines on stdout, every line tagged with the app and replica. */
export function controllerLogger(config: ControllerConfig): Logger {
  return createLogger({
    app: 'resolver-controller',
    level: config.logLevel,
    base: { replica: config.leaderElection.identity },
    isoTime: true,
  });
}

/** pino as the reconciler's Log. */
export function asLog(logger: Logger): Log {
  return logger as unknown as Log;
}
