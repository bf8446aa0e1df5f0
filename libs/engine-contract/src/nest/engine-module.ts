import type { ClassProvider, DynamicModule, Type, ValueProvider } from '@nestjs/common';

/**
 * An engine's Nest module: its EngineService controller and the providers behind it, built
 * from already created dependencies (the engine's bootstrap creates them). Every provider is
 * exported, so bootstrap and tests can `app.get` them.
 */
export function engineModule(
  module: Type,
  controller: Type,
  providers: Array<ValueProvider | ClassProvider>,
): DynamicModule {
  return {
    module,
    controllers: [controller],
    providers,
    exports: providers.map((provider) => provider.provide),
  };
}
