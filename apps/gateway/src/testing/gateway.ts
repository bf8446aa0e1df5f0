// Test support: a gateway in this process with test defaults.
import pino from 'pino';
import type { EventBus } from '@anvil/bus';
import { createStorage, type Storage, type WorldBinding } from '@anvil/storage';
import { bootstrap, type RunningGateway } from '../bootstrap';
import { loadGatewayConfig } from '../config/gateway-config';
import { TEST_SECRET } from './clients';
import { TEST_ENGINE_TOKEN } from './engines';

/** Starts a gateway on a free loopback port; `env` overrides the test defaults. */
export function startGateway(
  env: Record<string, string>,
  deps: { bus?: EventBus; storage?: Storage; now?: () => number } = {},
): Promise<RunningGateway> {
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: TEST_SECRET,
    ENGINE_TOKEN: TEST_ENGINE_TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = pino({ level: process.env['GATEWAY_TEST_LOG'] ?? 'silent' });
  return bootstrap({ config, logger, ...deps });
}

/** Opens in-memory storage with the schema applied. */
export async function memoryStorage(): Promise<Storage> {
  const storage = await createStorage({ url: 'pglite://memory' });
  await storage.migrate();
  return storage;
}

/** Registers a world in storage as the control plane would. */
export async function registerWorld(
  storage: Storage,
  id: string,
  phase = 'Ready',
  bindings: WorldBinding[] = [],
): Promise<void> {
  await storage.worlds.upsert({
    id,
    namespace: 'test',
    name: id,
    game: 'arena',
    region: 'local',
    shards: 1,
    phase,
    bindings,
  });
}
