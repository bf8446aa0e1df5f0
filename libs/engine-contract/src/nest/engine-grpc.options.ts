import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { engineServerCredentials, type EngineCredentials } from '../grpc/credentials';
import { ENGINE_PACKAGE, enginePackageDefinition } from '../grpc/engine-service.options';
import type { EngineHealth } from '../grpc/health-service.options';
import { ContractLimits } from '../domain/limits';

/** What an engine's gRPC server needs to know. */
export interface EngineGrpcServerConfig {
  /** host:port to listen on. */
  url: string;
  /** `grpc.max_receive_message_length` (and send), bytes; default ContractLimits.maxMessageBytes. */
  maxMessageBytes?: number;
  credentials?: EngineCredentials;
  /** The health service to serve beside EngineService. */
  health?: EngineHealth;
}

/**
 * The one Nest options factory for an EngineService server (used by every engine's
 * bootstrap and e2e tests): generated codecs through `packageDefinition`, message limits,
 * credentials, and the standard health service added to the same grpc-js server.
 */
export function engineGrpcServerOptions(config: EngineGrpcServerConfig): GrpcOptions {
  const max = config.maxMessageBytes ?? ContractLimits.maxMessageBytes;
  return {
    transport: Transport.GRPC,
    options: {
      url: config.url,
      package: ENGINE_PACKAGE,
      packageDefinition: enginePackageDefinition(),
      maxReceiveMessageLength: max,
      maxSendMessageLength: max,
      credentials: engineServerCredentials(config.credentials),
      gracefulShutdown: true,
      onLoadPackageDefinition: (_pkg, server) => config.health?.addToServer(server),
    },
  };
}
