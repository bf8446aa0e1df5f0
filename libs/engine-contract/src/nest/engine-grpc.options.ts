import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { engineAccessInterceptor, type EngineAccessOptions } from '../access/access-interceptor';
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
  /** Who may call: the engine token every EngineService call must carry, and quota checks. */
  access: EngineAccessOptions;
}

/**
 * The one Nest options factory for an EngineService server (used by every engine's
 * bootstrap and e2e tests): generated codecs through `packageDefinition`, message limits,
 * credentials, the access interceptor every call goes through (token, caller, quotas; the
 * health service stays open for probes), and the standard health service on the same server.
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
      // Nest passes channelOptions to the grpc-js Server constructor, which takes interceptors.
      channelOptions: { interceptors: [engineAccessInterceptor(config.access)] },
      credentials: engineServerCredentials(config.credentials),
      gracefulShutdown: true,
      onLoadPackageDefinition: (_pkg, server) => config.health?.addToServer(server),
    },
  };
}
