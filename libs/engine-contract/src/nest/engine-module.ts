import {
  Logger,
  type ClassProvider,
  type DynamicModule,
  type Type,
  type ValueProvider,
} from '@nestjs/common';
import { CommandStreams } from '../streams/command-streams';

/**
 * An engine's Nest module: its EngineService controller and the providers behind it, built
 * from already created dependencies (the engine's bootstrap creates them), plus the registry of
 * the StreamCommands streams it serves (ended by EngineServer.stop). Every provider is exported,
 * so bootstrap and tests can `app.get` them.
 */
export function engineModule(
  module: Type,
  controller: Type,
  providers: Array<ValueProvider | ClassProvider>,
): DynamicModule {
  const logger = new Logger('CommandStreams');
  const streams = new CommandStreams((error) =>
    logger.error(`a streamed command failed: ${String(error)}`, (error as Error)?.stack),
  );
  const all = [...providers, { provide: CommandStreams, useValue: streams }];
  return {
    module,
    controllers: [controller],
    providers: all,
    exports: all.map((provider) => provider.provide),
  };
}
