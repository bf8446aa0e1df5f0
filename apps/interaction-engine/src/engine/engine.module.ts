import { Module, type DynamicModule } from '@nestjs/common';
import { engineModule } from '@anvil/engine-contract/nest';
import {
  InteractionWorldsService,
  type InteractionDeps,
} from '../worlds/interaction-worlds.service';
import { EngineController } from './engine.controller';

/** The interaction engine's Nest module, built from already created dependencies. */
@Module({})
export class EngineModule {
  static forRoot(deps: InteractionDeps): DynamicModule {
    return engineModule(EngineModule, EngineController, [
      { provide: InteractionWorldsService, useValue: new InteractionWorldsService(deps) },
    ]);
  }
}
