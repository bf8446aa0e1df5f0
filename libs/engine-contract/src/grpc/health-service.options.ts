import {
  makeClientConstructor,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  HealthImplementation,
  service as healthServiceDefinition,
  type ServingStatus,
} from 'grpc-health-check';
import { ENGINE_SERVICE_NAME } from './engine-service.options';

/** The standard health service's fully qualified name. */
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

/** Anything a health implementation can be added to (a grpc-js Server). */
type GrpcServerLike = Parameters<HealthImplementation['addToServer']>[0];

/** The standard `grpc.health.v1.Health` service of one engine process. */
export interface EngineHealth {
  /** Registers the health service on a grpc-js server (Nest: `onLoadPackageDefinition`). */
  addToServer(server: GrpcServerLike): void;
  /** Sets the status of the whole server ('') and of EngineService together. */
  setServing(serving: boolean): void;
}

/** Creates the health service; it reports NOT_SERVING until `setServing(true)`. */
export function createEngineHealth(): EngineHealth {
  const implementation = new HealthImplementation({
    '': 'NOT_SERVING',
    [ENGINE_SERVICE_NAME]: 'NOT_SERVING',
  });
  return {
    addToServer: (server) => implementation.addToServer(server),
    setServing: (serving) => {
      const status: ServingStatus = serving ? 'SERVING' : 'NOT_SERVING';
      implementation.setStatus('', status);
      implementation.setStatus(ENGINE_SERVICE_NAME, status);
    },
  };
}

/** Wire status names of grpc.health.v1.HealthCheckResponse.ServingStatus. */
export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthClient extends Client {
  check(
    request: { service: string },
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: { status: HealthStatus }) => void,
  ): void;
}

const HealthClientConstructor = makeClientConstructor(
  healthServiceDefinition,
  HEALTH_SERVICE_NAME,
) as unknown as new (address: string, credentials: ChannelCredentials) => HealthClient;

/** Asks an engine's health service for a service's status ('' = the whole server). */
export async function checkEngineHealth(
  address: string,
  credentials: ChannelCredentials,
  options: { service?: string; deadlineMs?: number } = {},
): Promise<HealthStatus> {
  const client = new HealthClientConstructor(address, credentials);
  try {
    return await new Promise<HealthStatus>((resolve, reject) => {
      client.check(
        { service: options.service ?? '' },
        { deadline: Date.now() + (options.deadlineMs ?? 2_000) },
        (error, response) => (error ? reject(error) : resolve(response?.status ?? 'UNKNOWN')),
      );
    });
  } finally {
    client.close();
  }
}
