/**
 * `@anvil/engine-contract/nest`: the Nest side of the contract (server options factory and the
 * gRPC exception filter), behind its own entry point so non-Nest consumers never load Nest.
 */
export { EngineGrpcExceptionFilter } from './engine-grpc-exception.filter';
export { engineGrpcServerOptions, type EngineGrpcServerConfig } from './engine-grpc.options';
export { engineServer, type EngineServer, type EngineServerSettings } from './engine-server';
export { engineModule } from './engine-module';
export { EngineControllerBase } from './engine-controller';
