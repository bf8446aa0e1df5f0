import type { ControllerConfig } from './controller-config';

/** The validated config as a Nest provider: the only way the app reads configuration. */
export class ControllerConfigService {
  constructor(readonly config: ControllerConfig) {}

  get kube(): ControllerConfig['kube'] {
    return this.config.kube;
  }
  get namespace(): string | undefined {
    return this.config.namespace;
  }
  get concurrency(): number {
    return this.config.concurrency;
  }
  get maxConcurrentWrites(): number {
    return this.config.maxConcurrentWrites;
  }
  get leaderElection(): ControllerConfig['leaderElection'] {
    return this.config.leaderElection;
  }
  get metrics(): ControllerConfig['metrics'] {
    return this.config.metrics;
  }
  get logLevel(): ControllerConfig['logLevel'] {
    return this.config.logLevel;
  }
  get retry(): ControllerConfig['retry'] {
    return this.config.retry;
  }
  get shutdownTimeoutMs(): number {
    return this.config.shutdownTimeoutMs;
  }
  get registry(): ControllerConfig['registry'] {
    return this.config.registry;
  }
}
