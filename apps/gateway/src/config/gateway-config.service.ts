import { Injectable } from '@nestjs/common';
import type { GatewayConfig } from './gateway-config';

/**
 * The typed config, injected wherever settings are needed. Built once from the validated
 * config by `bootstrap`; nothing else in the gateway reads `process.env`.
 */
@Injectable()
export class GatewayConfigService {
  constructor(private readonly config: GatewayConfig) {}

  /** One section of the config. */
  get<K extends keyof GatewayConfig>(key: K): GatewayConfig[K] {
    return this.config[key];
  }
}
