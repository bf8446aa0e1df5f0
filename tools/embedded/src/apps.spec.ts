// The apps' own config loaders, through their packages (mapped to sources by jest.apps.cjs).
import { loadGatewayConfig } from '@anvil/gateway';
import { loadInteractionConfig } from '@anvil/interaction-engine';
import { loadPhysicsConfig } from '@anvil/physics-engine';
import * as path from 'node:path';
import { loadFolder } from './folder';
import { planWorlds } from './plans';
import { computeWiring } from './wiring';
import { ROOT } from './workspace';

const plans = planWorlds(loadFolder(path.join(ROOT, 'deploy', 'examples')).objects);

describe('the apps of the example folder', () => {
  it('get an environment their own config schemas accept', () => {
    const { engines } = computeWiring(plans);
    const physics = engines.find((e) => e.app === 'physics-engine')!;
    const interaction = engines.find((e) => e.app === 'interaction-engine')!;
    const base = { GRPC_HOST: '127.0.0.1', BUS: 'memory', ENGINE_TOKEN: 'a-token-of-some-length' };
    expect(loadPhysicsConfig({ ...base, GRPC_PORT: '0', ...physics.env }).tick.hz).toBe(30);
    const env = {
      ...base,
      GRPC_PORT: '0',
      PHYSICS_ENGINE_ADDRESS: '127.0.0.1:1',
      ...interaction.env,
    };
    expect(loadInteractionConfig(env).module).toBe('interaction-engine');
    expect(interaction.deps).toEqual({ PHYSICS_ENGINE_ADDRESS: physics.port });
    expect(
      loadGatewayConfig({ ...base, PORT: '0', JWT_SECRET: 'a-dev-secret-of-some-length' }),
    ).toBeDefined();
  });
});
