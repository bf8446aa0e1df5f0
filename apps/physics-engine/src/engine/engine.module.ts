import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { PhysicsConfigService } from '../config/physics-config.service';
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
    return {
      module: EngineModule,
      controllers: [EngineController],
      providers: [
        { provide: PhysicsConfigService, useValue: new PhysicsConfigService(deps.config) },
        { provide: WorldsService, useValue: new WorldsService(deps) },
        WorldsLifecycle,
      ],
      exports: [WorldsService],
    };
  }
}
