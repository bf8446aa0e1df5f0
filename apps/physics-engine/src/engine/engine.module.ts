import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { engineModule } from '@anvil/engine-contract/nest';
import { PHYSICS_CONFIG } from '../config/physics-config';
import { WorldsService, type WorldsDeps } from '../worlds/worlds.service';
import { EngineController } from './engine.controller';

/** Closes every world when Nest shuts down (loops stopped, deltas flushed). */
class WorldsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(WorldsService) private readonly worlds: WorldsService) {}
  async onApplicationShutdown(): Promise<void> {
    await this.worlds.closeAll();
  }
}

/** The physics engine's Nest module, built from already created dependencies. */
@Module({})
export class EngineModule {
  static forRoot(deps: WorldsDeps): DynamicModule {
    return engineModule(EngineModule, EngineController, [
      { provide: PHYSICS_CONFIG, useValue: deps.config },
      { provide: WorldsService, useValue: new WorldsService(deps) },
      { provide: WorldsLifecycle, useClass: WorldsLifecycle },
    ]);
  }
}
