import { Module, type DynamicModule } from '@nestjs/common';
import { engineModule } from '@anvil/engine-contract/nest';
import { GameWorldsService, type GameWorldsDeps } from '../worlds/game-worlds.service';
import { EngineController } from './engine.controller';

/** A game module's Nest module, built from already created dependencies. */
@Module({})
export class GameHostModule {
  static forRoot(deps: GameWorldsDeps): DynamicModule {
    return engineModule(GameHostModule, EngineController, [
      { provide: GameWorldsService, useValue: new GameWorldsService(deps) },
    ]);
  }
}
