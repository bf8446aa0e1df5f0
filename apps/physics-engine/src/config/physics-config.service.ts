import type { PhysicsConfig } from './physics-config';

/** The typed config as a Nest provider (the only way the app reads configuration). */
export class PhysicsConfigService {
  constructor(readonly config: PhysicsConfig) {}

  get grpc(): PhysicsConfig['grpc'] {
    return this.config.grpc;
  }
  get tick(): PhysicsConfig['tick'] {
    return this.config.tick;
  }
  get limits(): PhysicsConfig['limits'] {
    return this.config.limits;
  }
  get bus(): PhysicsConfig['bus'] {
    return this.config.bus;
  }
  get checkpoint(): PhysicsConfig['checkpoint'] {
    return this.config.checkpoint;
  }
}
